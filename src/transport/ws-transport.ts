import { createServer, type IncomingMessage, type Server } from "node:http"
import type { Socket } from "node:net"
import type { Duplex } from "node:stream"
import { WebSocketServer, type WebSocket } from "ws"
import { LanvaultError } from "../errors.js"
import { closeCodeOf, type CloseReason } from "./close-reasons.js"
import { ConnectionBudget, type BudgetSlot } from "./connection-budget.js"
import { isLanAddress, parseCidr, parseIp } from "./lan-policy.js"
import { RateLimiter } from "./rate-limiter.js"
import { MAX_PAYLOAD_BYTES, WsFrameSocket } from "./ws-frame-socket.js"

/** DESIGN §6: the default lanvault port (TCP). */
export const DEFAULT_PORT = 47110
/** Listen on every IPv4 interface; the LAN policy filters who gets in. */
export const DEFAULT_HOST = "0.0.0.0"
/** Admitted connections open at once, across all peers. */
export const DEFAULT_MAX_CONNECTIONS = 64
/** Connection attempts per remote address per minute. */
export const DEFAULT_RATE_PER_MINUTE = 60
/** Links from one address that have not proved a trusted device (a device dials once; a flood is cut here). */
export const MAX_STRANGERS_PER_ADDRESS = 8
/** TCP sockets of one address waiting for their upgrade request. */
export const MAX_PENDING_PER_ADDRESS = 32
/** A TCP socket must have sent its upgrade request by then, or it is closed (a dialler sends it at once). */
export const UPGRADE_DEADLINE_MS = 3_000
/** A refused socket is cut this long after its close frame, answered or not. */
const REFUSAL_LINGER_MS = 1_000
/** Raw TCP sockets of any kind per admitted link: the hard cap of the server. */
const TCP_CONNECTIONS_PER_SLOT = 4

/** Options of a {@link WsListener}. */
export interface WsListenerOptions {
  host?: string
  /** 0 picks an ephemeral port (see `port` after `start()`). */
  port?: number
  maxConnections?: number
  /** Links not yet proved trusted, all addresses together (default half of `maxConnections`: the rest is kept for trusted devices). */
  maxStrangers?: number
  /** Addresses where a trusted device was seen: they get in even when strangers hold every pending place. */
  isPreferredAddress?: (ip: string) => boolean
  /** Milliseconds a TCP socket may take to send its upgrade request (default {@link UPGRADE_DEADLINE_MS}). */
  upgradeDeadlineMs?: number
  perAddressRatePerMinute?: number
  maxPayloadBytes?: number
  /** Extra CIDRs the user declared as LAN. */
  extraCidrs?: string[]
  /** Replaces the LAN policy (tests declare 127.0.0.1 foreign with it). */
  isAllowedAddress?: (ip: string) => boolean
  /** Clock for the rate limit, in ms. */
  now?: () => number
}

/** A connection that passed the LAN, rate and capacity checks; run a handshake on it. */
export interface AcceptedConnection {
  socket: WsFrameSocket
  remoteAddress: string
  remotePort: number
  /** The request path the dialler chose (it names the handshake mode; the prologue binds it). */
  path: string
  /** The handshake proved a trusted device: the link leaves the strangers' share of the budget. */
  trusted(): void
}

/** Events of a {@link WsListener}. */
export interface WsListenerEvents {
  /** A connection passed the admission checks. */
  connection: (connection: AcceptedConnection) => void
  /** A connection was closed at admission (for logs; no secret in it). */
  refused: (refusal: { remoteAddress: string; reason: CloseReason }) => void
}

/**
 * The listening side of the ws transport: checks every incoming connection
 * against the LAN policy first, then the per-address rate limit, then the
 * connection cap, closing refusals with a reason; hands the rest on as
 * {@link AcceptedConnection}s. Binary messages only; compression off.
 */
export class WsListener {
  readonly #options: WsListenerOptions
  readonly #isAllowed: (ip: string) => boolean
  readonly #limiter: RateLimiter
  readonly #budget: ConnectionBudget
  readonly #live = new Set<WsFrameSocket>()
  /** TCP sockets still waiting for their upgrade request, with what ends their wait. */
  readonly #pendingLeave = new WeakMap<object, () => void>()
  readonly #listeners: { [E in keyof WsListenerEvents]: Set<WsListenerEvents[E]> } = {
    connection: new Set(),
    refused: new Set(),
  }
  #server: Server | undefined
  #wss: WebSocketServer | undefined
  #port = 0

  constructor(options: WsListenerOptions = {}) {
    for (const cidr of options.extraCidrs ?? []) parseCidr(cidr)
    this.#options = options
    this.#isAllowed = options.isAllowedAddress ?? ((ip) => isLanAddress(ip, options.extraCidrs))
    this.#limiter = new RateLimiter(options.perAddressRatePerMinute ?? DEFAULT_RATE_PER_MINUTE)
    const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    this.#budget = new ConnectionBudget({
      maxConnections,
      maxStrangers: options.maxStrangers ?? Math.max(1, Math.ceil(maxConnections / 2)),
      maxStrangersPerAddress: MAX_STRANGERS_PER_ADDRESS,
      maxPending: maxConnections * 2,
      maxPendingPerAddress: MAX_PENDING_PER_ADDRESS,
      isPreferredAddress: options.isPreferredAddress,
    })
  }

  /** The port listened on (useful with port 0); 0 before `start()`. */
  get port(): number {
    return this.#port
  }

  /** Number of admitted connections still open. */
  get connectionCount(): number {
    return this.#live.size
  }

  /** Subscribes to an event. */
  on<E extends keyof WsListenerEvents>(event: E, fn: WsListenerEvents[E]): void {
    this.#listeners[event].add(fn)
  }

  /** Starts listening; idempotent. */
  async start(): Promise<void> {
    if (this.#server !== undefined) return
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.#options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES, perMessageDeflate: false })
    const server = createServer((_req, res) => res.writeHead(426, { Connection: "close" }).end())
    const deadlineMs = this.#options.upgradeDeadlineMs ?? UPGRADE_DEADLINE_MS
    server.requestTimeout = deadlineMs
    server.headersTimeout = deadlineMs
    server.maxConnections = (this.#options.maxConnections ?? DEFAULT_MAX_CONNECTIONS) * TCP_CONNECTIONS_PER_SLOT
    server.on("connection", (socket: Socket) => this.#onTcp(socket, deadlineMs))
    server.on("upgrade", (req, socket, head) => this.#onUpgrade(req, socket, head))
    this.#server = server
    this.#wss = wss
    const [port, host] = [this.#options.port ?? DEFAULT_PORT, this.#options.host ?? DEFAULT_HOST]
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) => {
        this.#server = undefined
        reject(error.code === "EADDRINUSE" ? portInUse(port, host) : error)
      })
      server.listen(port, host, () => {
        server.removeAllListeners("error")
        resolve()
      })
    })
    const address = server.address()
    this.#port = typeof address === "object" && address !== null ? address.port : 0
  }

  /** Closes every connection with "shutting down" and stops listening; idempotent. */
  async stop(): Promise<void> {
    const server = this.#server
    if (server === undefined) return
    this.#server = undefined
    for (const socket of this.#live) socket.close(closeCodeOf("shutting down"), "shutting down")
    this.#wss?.close()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /**
   * Before any HTTP: a socket counts against its address's pending places at
   * once and must upgrade within the deadline, so idle sockets cannot hold the
   * budget (issue 11 item 12). Over the per-address cap it is cut without a word.
   */
  #onTcp(socket: Socket, deadlineMs: number): void {
    const ip = socket.remoteAddress ?? ""
    socket.on("error", () => undefined)
    if (!this.#budget.admitPending(ip)) return void socket.destroy()
    const leave = () => {
      if (!this.#pendingLeave.delete(socket)) return
      clearTimeout(timer)
      this.#budget.releasePending(ip)
    }
    const timer = setTimeout(() => socket.destroy(), deadlineMs).unref()
    socket.once("close", leave)
    this.#pendingLeave.set(socket, leave)
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const remoteAddress = req.socket.remoteAddress ?? ""
    const remotePort = req.socket.remotePort ?? 0
    this.#pendingLeave.get(req.socket)?.()
    const admitted = this.#admission(remoteAddress)
    socket.on("error", () => undefined)
    ;(this.#wss as WebSocketServer).handleUpgrade(req, socket, head, (ws) => {
      const frameSocket = new WsFrameSocket(ws, remoteAddress, remotePort)
      if (typeof admitted === "string") {
        frameSocket.close(closeCodeOf(admitted), admitted)
        // A refused peer that never answers the close must not hold a socket for ws's 30 s.
        setTimeout(() => ws.terminate(), REFUSAL_LINGER_MS).unref()
        for (const fn of this.#listeners.refused) fn({ remoteAddress, reason: admitted })
        return
      }
      this.#live.add(frameSocket)
      ws.once("close", () => {
        this.#live.delete(frameSocket)
        admitted.release()
      })
      const path = (req.url ?? "/").split("?")[0]
      const connection = { socket: frameSocket, remoteAddress, remotePort, path, trusted: () => admitted.trusted() }
      for (const fn of this.#listeners.connection) fn(connection)
    })
  }

  /** LAN policy before anything else, then rate, then capacity. */
  #admission(remoteAddress: string): BudgetSlot | CloseReason {
    if (this.#server === undefined) return "shutting down"
    if (!this.#isAllowed(remoteAddress)) return "not on the LAN"
    const now = this.#options.now?.() ?? Date.now()
    if (!this.#limiter.tryAcquire(remoteAddress, now)) return "rate limited"
    return this.#budget.admitLink(remoteAddress)
  }
}

/** EADDRINUSE as a person can act on it: which port, and how to pick another. */
function portInUse(port: number, host: string): LanvaultError {
  return new LanvaultError(
    "PORT_IN_USE",
    `port ${port} on ${host} is already in use (another lanvault daemon, for another home, or another program): ` +
      "start this daemon with `lanvault daemon --port N` for a free port N (--port 0 lets the system pick one), " +
      "and give other devices HOST:N if mDNS cannot reach them",
    { data: { port, host } },
  )
}
