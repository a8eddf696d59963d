import { LanvaultError } from "../errors.js"
import { DEFAULT_PORT } from "../transport/index.js"

/** ws paths: the listener runs the handshake the path names (the prologue binds the mode too). */
export const TRUSTED_PATH = "/lanvault/1"
export const PAIR_PATH = "/lanvault/1/pair"

/** Parses `HOST:PORT`, `HOST` (default port) or `[IPv6]:PORT`. */
export function parsePeerAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim())
  const port = match?.[3] === undefined ? DEFAULT_PORT : Number(match[3])
  if (!match || port < 1 || port > 65_535) {
    throw new LanvaultError("INVALID_PARAMS", `"${text}" is not HOST:PORT (for example 192.168.1.20:${DEFAULT_PORT})`)
  }
  return { host: match[1] ?? match[2], port }
}
