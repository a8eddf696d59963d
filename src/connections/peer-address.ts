import { LanvaultError } from "../errors.js"
import { DEFAULT_PORT, isLanAddress, parseIp } from "../transport/index.js"

/** ws paths: the listener runs the handshake the path names (the prologue binds the mode too). */
export const TRUSTED_PATH = "/lanvault/2"
export const PAIR_PATH = "/lanvault/1/pair"
/** Protocol 1's trusted path (Noise XX): told to update, never served. */
export const OLD_TRUSTED_PATH = "/lanvault/1"
/** RFC 1035 §2.3.4: a name of at most 253 characters, labels of at most 63. */
const MAX_HOST_NAME_CHARS = 253
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i

/** Parses `HOST:PORT`, `HOST` (default port) or `[IPv6]:PORT`; HOST is an IP address or a sane DNS name. */
export function parsePeerAddress(text: string): { host: string; port: number } {
  const trimmed = String(text).trim()
  const match = trimmed.length <= MAX_HOST_NAME_CHARS + 8 ? /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(trimmed) : null
  const port = match?.[3] === undefined ? DEFAULT_PORT : Number(match[3])
  const host = match?.[1] ?? match?.[2] ?? ""
  const bracketedIsIpv6 = match?.[1] === undefined || parseIp(host)?.family === 6
  if (!match || port < 1 || port > 65_535 || !bracketedIsIpv6 || !(parseIp(host) !== undefined || isHostName(host))) {
    throw new LanvaultError("INVALID_PARAMS", `"${clip(trimmed)}" is not HOST:PORT (for example 192.168.1.20:${DEFAULT_PORT})`)
  }
  return { host, port }
}

/**
 * A peer address this device may store, dial and share (DESIGN §6 "LAN only"):
 * well formed, and an IP address must be on the LAN or in `extraCidrs`. A host
 * name is checked again once resolved, when it is dialled.
 */
export function parseLanPeerAddress(text: string, extraCidrs: readonly string[] = []): { host: string; port: number; normal: string } {
  const { host, port } = parsePeerAddress(text)
  if (parseIp(host) !== undefined && !isLanAddress(host, extraCidrs)) {
    throw new LanvaultError("INVALID_PARAMS", `${host} is not on the LAN: lanvault talks only to loopback, private, link-local and unique-local addresses (start the daemon with \`--allow CIDR\` if that network is yours)`)
  }
  return { host, port, normal: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}` }
}

/** RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens. */
function isHostName(host: string): boolean {
  const name = host.endsWith(".") ? host.slice(0, -1) : host
  return name.length > 0 && name.length <= MAX_HOST_NAME_CHARS && name.split(".").every((label) => HOST_LABEL.test(label))
}

/** Error messages quote at most a little of what was given. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}
