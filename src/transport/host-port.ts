import { LanvaultError } from "../errors.js"
import { parseIp } from "./lan-policy.js"

/** RFC 1035 §2.3.4: a name of at most 253 characters, labels of at most 63. */
const MAX_HOST_NAME_CHARS = 253
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i

/**
 * Parses `HOST:PORT` or `[IPv6]:PORT` (with a default port, a bare `HOST` too);
 * HOST is an IP address or a sane DNS name. The one HOST:PORT parser: the CLI's
 * options and the peer addresses of connections/ both use it.
 */
export function parseHostPort(text: string, defaultPort?: number): { host: string; port: number } {
  const trimmed = String(text).trim()
  const match = trimmed.length <= MAX_HOST_NAME_CHARS + 8 ? /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(trimmed) : null
  const port = match?.[3] === undefined ? defaultPort ?? 0 : Number(match[3])
  const host = match?.[1] ?? match?.[2] ?? ""
  const bracketedIsIpv6 = match?.[1] === undefined || parseIp(host)?.family === 6
  if (!match || port < 1 || port > 65_535 || !bracketedIsIpv6 || !(parseIp(host) !== undefined || isHostName(host))) {
    throw new LanvaultError("INVALID_PARAMS", `"${clip(trimmed)}" is not HOST:PORT (for example 192.168.1.20:47110)`)
  }
  return { host, port }
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
