import { BlockList, isIP } from "node:net"
import { LanvaultError } from "../errors.js"

const IPV4_BITS = 32
const IPV6_BITS = 128

/** A textual address's family, as `node:net` parses it (an IPv6 zone `%eth0` is allowed). */
export interface ParsedAddress {
  family: 4 | 6
}

/** A CIDR block, e.g. `10.0.0.0/8` or `fd00::/8` (a bare address is its own /32 or /128). */
export interface Cidr {
  family: 4 | 6
  address: string
  prefixLength: number
}

// DESIGN §6 "LAN only": loopback, RFC 1918, link-local and unique-local.
const LAN_BLOCKS: readonly string[] = [
  "127.0.0.0/8", // RFC 1122 §3.2.1.3 loopback
  "10.0.0.0/8", // RFC 1918 §3
  "172.16.0.0/12", // RFC 1918 §3
  "192.168.0.0/16", // RFC 1918 §3
  "169.254.0.0/16", // RFC 3927 IPv4 link-local
  "::1/128", // RFC 4291 §2.5.3 loopback
  "fe80::/10", // RFC 4291 §2.5.6 link-local
  "fc00::/7", // RFC 4193 unique-local
]
const LAN_CIDRS: readonly Cidr[] = LAN_BLOCKS.map((block) => parseCidr(block))

/**
 * The blocks of one policy, a BlockList per family: node's list also matches an IPv4 address
 * against an IPv6 block (as `::ffff:a.b.c.d`), which would let `::/0` admit every IPv4 address.
 */
class LanBlocks {
  private readonly v4 = new BlockList()
  private readonly v6 = new BlockList()

  constructor(cidrs: readonly Cidr[]) {
    for (const cidr of cidrs) {
      if (cidr.family === 4) this.v4.addSubnet(cidr.address, cidr.prefixLength, "ipv4")
      else this.v6.addSubnet(cidr.address, cidr.prefixLength, "ipv6")
    }
  }

  /** An IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2) is checked against the IPv4 blocks too. */
  contains(ip: string, family: 4 | 6): boolean {
    if (family === 4) return this.v4.check(ip, "ipv4")
    return this.v6.check(ip, "ipv6") || this.v4.check(ip, "ipv6")
  }
}

const LAN = new LanBlocks(LAN_CIDRS)

/**
 * Whether `ip` is on the LAN by lanvault's policy (DESIGN §6): loopback,
 * RFC 1918, link-local, unique-local, the IPv4-mapped IPv6 form of those,
 * or inside one of the user's `extraCidrs`. Anything unparsable is not.
 * Throws `INVALID_PARAMS` for a malformed entry of `extraCidrs`.
 */
export function isLanAddress(ip: string, extraCidrs: readonly string[] = []): boolean {
  const extra = extraCidrs.length === 0 ? undefined : new LanBlocks(extraCidrs.map((text) => parseCidr(text)))
  const address = parseIp(ip)
  if (address === undefined) return false
  return LAN.contains(ip, address.family) || (extra?.contains(ip, address.family) ?? false)
}

/** Parses `address/prefix` (or a bare address); throws `INVALID_PARAMS` when malformed. */
export function parseCidr(text: string): Cidr {
  const [written, prefixText, ...rest] = String(text).trim().split("/")
  const parsed = parseIp(written)
  // A block names no interface: an IPv6 zone (`%eth0`) is dropped.
  const address = written.replace(/%.*$/, "")
  const bits = parsed?.family === 4 ? IPV4_BITS : IPV6_BITS
  const prefixLength = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN
  if (parsed === undefined || rest.length > 0 || !(prefixLength >= 0 && prefixLength <= bits)) {
    throw new LanvaultError("INVALID_PARAMS", `not a CIDR block: "${text}" (expected e.g. 10.1.0.0/16 or fd00::/8)`)
  }
  return { family: parsed.family, address, prefixLength }
}

/** The family of a textual IPv4 (dotted quad, no leading zeros) or IPv6 address, else undefined. */
export function parseIp(text: string): ParsedAddress | undefined {
  if (typeof text !== "string") return undefined
  const family = isIP(text)
  return family === 0 ? undefined : { family: family === 4 ? 4 : 6 }
}
