import { LanvaultError } from "../errors.js"
import { DEFAULT_PORT, isLanAddress, parseHostPort, parseIp, type AcceptedConnection } from "../transport/index.js"

/** ws paths: the listener runs the handshake the path names (the prologue binds the mode too). */
export const TRUSTED_PATH = "/lanvault/2"
export const PAIR_PATH = "/lanvault/1/pair"
/** Protocol 1's trusted path (Noise XX): told to update, never served. */
export const OLD_TRUSTED_PATH = "/lanvault/1"

/** Where connections on PAIR_PATH go (pairing/ implements it). */
export interface PairingHandler {
  handle(connection: AcceptedConnection): Promise<void>
}

/** Parses `HOST:PORT`, `HOST` (default port) or `[IPv6]:PORT`; HOST is an IP address or a sane DNS name. */
export function parsePeerAddress(text: string): { host: string; port: number } {
  return parseHostPort(text, DEFAULT_PORT)
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
