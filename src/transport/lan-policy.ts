import { LanvaultError } from "../errors.js"

const IPV4_BITS = 32
const IPV6_BITS = 128
const IPV6_GROUPS = 8
const IPV4_MAPPED_PREFIX = 0xffffn << 32n

/** An address as a number plus its family, so prefixes compare with shifts. */
interface ParsedAddress {
  family: 4 | 6
  value: bigint
}

/** A parsed CIDR block, e.g. `10.0.0.0/8` or `fd00::/8`. */
export interface Cidr {
  family: 4 | 6
  network: bigint
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
 * Whether `ip` is on the LAN by lanvault's policy (DESIGN §6): loopback,
 * RFC 1918, link-local, unique-local, the IPv4-mapped IPv6 form of those,
 * or inside one of the user's `extraCidrs`. Anything unparsable is not.
 * Throws `INVALID_PARAMS` for a malformed entry of `extraCidrs`.
 */
export function isLanAddress(ip: string, extraCidrs: readonly string[] = []): boolean {
  const extra = extraCidrs.map((text) => parseCidr(text))
  const address = parseIp(ip)
  if (address === undefined) return false
  const candidates = [address]
  const mapped = unmapIpv4(address)
  if (mapped !== undefined) candidates.push(mapped)
  return candidates.some((candidate) => [...LAN_CIDRS, ...extra].some((cidr) => cidrContains(cidr, candidate)))
}

/** Parses `address/prefix` (or a bare address); throws `INVALID_PARAMS` when malformed. */
export function parseCidr(text: string): Cidr {
  const [addressText, prefixText, ...rest] = String(text).trim().split("/")
  const address = parseIp(addressText)
  const bits = address?.family === 4 ? IPV4_BITS : IPV6_BITS
  const prefixLength = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN
  if (address === undefined || rest.length > 0 || !(prefixLength >= 0 && prefixLength <= bits)) {
    throw new LanvaultError("INVALID_PARAMS", `not a CIDR block: "${text}" (expected e.g. 10.1.0.0/16 or fd00::/8)`)
  }
  return { family: address.family, network: address.value & prefixMask(prefixLength, bits), prefixLength }
}

/** Parses a textual IPv4 or IPv6 address (an IPv6 zone `%eth0` is ignored). */
export function parseIp(text: string): ParsedAddress | undefined {
  if (typeof text !== "string") return undefined
  if (text.includes(":")) {
    const value = parseIpv6(text.replace(/%[\w.-]+$/, ""))
    return value === undefined ? undefined : { family: 6, value }
  }
  const value = parseIpv4(text)
  return value === undefined ? undefined : { family: 4, value }
}

function cidrContains(cidr: Cidr, address: ParsedAddress): boolean {
  if (cidr.family !== address.family) return false
  const bits = cidr.family === 4 ? IPV4_BITS : IPV6_BITS
  return (address.value & prefixMask(cidr.prefixLength, bits)) === cidr.network
}

function prefixMask(prefixLength: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n
  return (all >> BigInt(bits - prefixLength)) << BigInt(bits - prefixLength)
}

/** RFC 4291 §2.5.5.2: `::ffff:a.b.c.d` is the IPv4 address a.b.c.d. */
function unmapIpv4(address: ParsedAddress): ParsedAddress | undefined {
  if (address.family !== 6 || address.value >> 32n !== IPV4_MAPPED_PREFIX >> 32n) return undefined
  return { family: 4, value: address.value & 0xffff_ffffn }
}

/** Dotted quad, four decimal octets without leading zeros (no octal ambiguity). */
function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".")
  if (parts.length !== 4) return undefined
  let value = 0n
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined
    value = (value << 8n) | BigInt(part)
  }
  return value
}

/** RFC 4291 §2.2 text forms: full, `::`-compressed, and with a trailing dotted quad. */
function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const head = parseGroups(halves[0], halves.length === 1)
  const tail = halves.length === 2 ? parseGroups(halves[1], true) : []
  if (head === undefined || tail === undefined) return undefined
  const missing = IPV6_GROUPS - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  const groups = [...head, ...new Array<bigint>(missing).fill(0n), ...tail]
  return groups.reduce((value, group) => (value << 16n) | group, 0n)
}

/** Groups of one side of `::`; a dotted quad may only end the address. */
function parseGroups(text: string, mayEndWithIpv4: boolean): bigint[] | undefined {
  if (text === "") return []
  const parts = text.split(":")
  const groups: bigint[] = []
  for (const [index, part] of parts.entries()) {
    if (mayEndWithIpv4 && index === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part)
      if (v4 === undefined) return undefined
      groups.push(v4 >> 16n, v4 & 0xffffn)
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(BigInt(`0x${part}`))
    } else {
      return undefined
    }
  }
  return groups
}
