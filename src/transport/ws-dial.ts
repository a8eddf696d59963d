import { lookup } from "node:dns/promises"
import { connect as netConnect } from "node:net"
import { WebSocket } from "ws"
import { LanvaultError } from "../errors.js"
import { isLanAddress, parseIp } from "./lan-policy.js"
import { MAX_PAYLOAD_BYTES, WsFrameSocket } from "./ws-frame-socket.js"

/** Name resolution plus TCP and WebSocket set-up of one dial. */
export const DIAL_TIMEOUT_MS = 10_000

/** Options of {@link dialWs}. */
export interface DialOptions {
  timeoutMs?: number
  extraCidrs?: string[]
  /** Replaces the LAN policy, as for {@link WsListener}. */
  isAllowedAddress?: (ip: string) => boolean
  maxPayloadBytes?: number
  /** Request path (default "/"): tells the listener which handshake follows. */
  path?: string
}

/**
 * Connects to a lanvault listener. A host name is resolved first and the
 * address it resolves to is both checked and dialled. Rejects with
 * NOT_ALLOWED for a non-LAN address, TIMEOUT, or PEER_REFUSED when the
 * connection cannot be made (`data.unreachable`).
 */
export async function dialWs(host: string, port: number, options: DialOptions = {}): Promise<WsFrameSocket> {
  const timeoutMs = options.timeoutMs ?? DIAL_TIMEOUT_MS
  const deadline = Date.now() + timeoutMs
  const address = await withTimeout(resolveAddress(host), timeoutMs, host, port)
  const allowed = options.isAllowedAddress ?? ((ip: string) => isLanAddress(ip, options.extraCidrs))
  if (!allowed(address)) {
    throw new LanvaultError("NOT_ALLOWED", `refusing to dial ${address}: not on the LAN (add its network with a CIDR if it is yours)`, { data: { reason: "not on the LAN" } })
  }
  return openSocket(address, port, Math.max(0, deadline - Date.now()), options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES, options.path ?? "/")
}

async function resolveAddress(host: string): Promise<string> {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host
  if (parseIp(bare) !== undefined) return bare
  try {
    return (await lookup(bare)).address
  } catch (cause) {
    throw new LanvaultError("PEER_REFUSED", `cannot resolve ${host}`, { cause, data: { unreachable: true } })
  }
}

function openSocket(address: string, port: number, timeoutMs: number, maxPayload: number, path: string): Promise<WsFrameSocket> {
  const urlHost = address.includes(":") ? `[${address.replace(/%.*$/, "")}]` : address
  const ws = new WebSocket(`ws://${urlHost}:${port}${path.startsWith("/") ? path : `/${path}`}`, {
    maxPayload,
    perMessageDeflate: false,
    // net.connect understands an IPv6 zone (fe80::1%eth0); a URL cannot carry one.
    createConnection: () => netConnect({ host: address, port }),
  })
  const socket = new WsFrameSocket(ws, address, port)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate()
      reject(new LanvaultError("TIMEOUT", `no connection to ${address}:${port} within ${timeoutMs} ms`))
    }, timeoutMs)
    ws.once("open", () => {
      clearTimeout(timer)
      resolve(socket)
    })
    ws.once("error", (cause: Error) => {
      clearTimeout(timer)
      reject(new LanvaultError("PEER_REFUSED", `cannot connect to ${address}:${port}: ${cause.message}`, { cause, data: { unreachable: true } }))
    })
  })
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, host: string, port: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new LanvaultError("TIMEOUT", `no connection to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

