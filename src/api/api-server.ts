import { createServer, type Server, type Socket } from "node:net"
import { LanvaultError } from "../errors.js"
import { ApiConnection } from "./api-connection.js"
import { MAX_LINE_BYTES, type EventParams, type ParamsOf, type ResultOf } from "./protocol.js"
import { encodeError, encodeEvent, parseEventNames } from "./rpc-codec.js"
import { RpcDispatcher } from "./rpc-dispatcher.js"
import { isNamedPipe, listenPrivately, prepareSocketPath, removeSocketFile, secureSocketFile, type SocketIdentity } from "./socket-file.js"
import { SILENT_API_LOGGER, type ApiHandlers, type ApiLogger, type CallContext } from "./types.js"

const DEFAULT_MAX_CONNECTIONS = 64
/** Requests one connection may have running at once before the server stops reading from it. */
const MAX_IN_FLIGHT_PER_CONNECTION = 32
/** Unsent response bytes per connection above which reading pauses. */
const MAX_QUEUED_RESPONSE_BYTES = 1024 * 1024
/** Unsent event bytes per subscriber above which it is disconnected. */
const DEFAULT_MAX_SUBSCRIBER_BUFFER_BYTES = 4 * 1024 * 1024
/** How long a refused (over the connection limit) client may take to read its error. */
const REFUSE_GRACE_MS = 1_000

/** What an {@link ApiServer} needs. */
export interface ApiServerDeps {
  /** The method table; `subscribe` is served by the server itself. */
  handlers: ApiHandlers
  logger?: ApiLogger
  /** Called with the method name on every well-formed request (the daemon's idle auto-lock). */
  onActivity?: (method: string) => void
}

/** Where and within which limits the server listens. */
export interface ApiServerOptions {
  /** A Unix socket path, or a named pipe on Windows (`\\.\pipe\lanvault-<hash of home>`). */
  socketPath: string
  /** Longest request line in bytes (default MAX_LINE_BYTES). */
  maxLineBytes?: number
  /** Clients connected at once (default 64); more are answered NOT_ALLOWED and closed. */
  maxConnections?: number
  /** Unsent event bytes after which a subscriber is disconnected (default 4 MiB). */
  maxSubscriberBufferBytes?: number
}

/**
 * The daemon's local JSON-RPC 2.0 server (DESIGN §10): one JSON object per line
 * over a 0600 Unix socket in a 0700 directory. It owns the socket file, the
 * connections and the event subscriptions; what each method does is the
 * handlers' business.
 */
export class ApiServer {
  private readonly logger: ApiLogger
  private readonly dispatcher: RpcDispatcher
  private readonly options: Required<ApiServerOptions>
  private readonly connections = new Map<number, ApiConnection>()
  private nextConnectionId = 1
  private server: Server | undefined
  private identity: SocketIdentity | undefined
  private starting: Promise<void> | undefined
  private stopping: Promise<void> | undefined

  constructor(deps: ApiServerDeps, options: ApiServerOptions) {
    this.logger = deps.logger ?? SILENT_API_LOGGER
    this.options = {
      socketPath: options.socketPath,
      maxLineBytes: options.maxLineBytes ?? MAX_LINE_BYTES,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      maxSubscriberBufferBytes: options.maxSubscriberBufferBytes ?? DEFAULT_MAX_SUBSCRIBER_BUFFER_BYTES,
    }
    const handlers: ApiHandlers = { ...deps.handlers, subscribe: (params, ctx) => this.subscribe(params, ctx) }
    this.dispatcher = new RpcDispatcher({ handlers, logger: this.logger, onActivity: deps.onActivity })
  }

  /** The path clients connect to. */
  get socketPath(): string {
    return this.options.socketPath
  }

  /** Clients connected now. */
  get connectionCount(): number {
    return this.connections.size
  }

  /** Listens; throws ALREADY_RUNNING when a live daemon holds the path. Idempotent. */
  start(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping.then(() => this.start())
    this.starting ??= this.listen().catch((error: unknown) => {
      this.starting = undefined
      throw error
    })
    return this.starting
  }

  /** Closes every connection, stops listening and removes the socket file. Idempotent. */
  stop(): Promise<void> {
    if (this.starting === undefined) return this.stopping ?? Promise.resolve()
    const started = this.starting
    this.stopping ??= started
      .then(() => this.close(), () => undefined)
      .finally(() => {
        this.starting = undefined
        this.stopping = undefined
      })
    return this.stopping
  }

  /**
   * Settles once the answers being written to clients have reached them (see
   * ApiConnection.answersFlushed); undefined when none is. A new device's
   * backfill check waits for it, so a list answered meanwhile is not spread
   * over the check's slices.
   */
  answersFlushed(): Promise<void> | undefined {
    let waiting: Array<Promise<void>> | undefined
    for (const connection of this.connections.values()) {
      const flushed = connection.answersFlushed()
      if (flushed !== undefined) (waiting ??= []).push(flushed)
    }
    return waiting === undefined ? undefined : Promise.all(waiting).then(() => undefined)
  }

  /** Sends an event to every connection subscribed to its type. */
  publish(event: EventParams): void {
    if (this.connections.size === 0) return
    let line: string
    try {
      line = `${encodeEvent(event)}\n`
    } catch (error) {
      this.logger.error("api: an event could not be encoded", { type: event.type, name: (error as Error)?.name })
      return
    }
    for (const connection of this.connections.values()) connection.pushEvent(event.type, line)
  }

  private async listen(): Promise<void> {
    const path = this.options.socketPath
    const pipe = isNamedPipe(path)
    if (!pipe) await prepareSocketPath(path, this.logger)
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket))
    await listenPrivately(server, path)
    server.on("error", (error: NodeJS.ErrnoException) => this.logger.error("api: server error", { code: error.code }))
    this.server = server
    try {
      if (!pipe) this.identity = await secureSocketFile(path)
    } catch (error) {
      await this.close()
      throw error
    }
    this.logger.info("api: listening", { socket: path })
  }

  private async close(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    for (const connection of this.connections.values()) connection.close()
    this.connections.clear()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    if (this.identity !== undefined) await removeSocketFile(this.options.socketPath, this.identity)
    this.identity = undefined
    this.logger.info("api: stopped", { socket: this.options.socketPath })
  }

  private accept(socket: Socket): void {
    if (this.server === undefined) {
      socket.destroy()
      return
    }
    if (this.connections.size >= this.options.maxConnections) {
      this.refuse(socket)
      return
    }
    const connection = new ApiConnection(
      { socket, logger: this.logger, handle: this.dispatcher.handle.bind(this.dispatcher), onClose: (closed) => this.forget(closed) },
      {
        id: this.nextConnectionId++,
        maxLineBytes: this.options.maxLineBytes,
        maxInFlight: MAX_IN_FLIGHT_PER_CONNECTION,
        maxQueuedResponseBytes: MAX_QUEUED_RESPONSE_BYTES,
        maxQueuedEventBytes: this.options.maxSubscriberBufferBytes,
      },
    )
    this.connections.set(connection.id, connection)
    this.logger.debug("api: client connected", { connectionId: connection.id })
  }

  private forget(connection: ApiConnection): void {
    if (this.connections.get(connection.id) === connection) this.connections.delete(connection.id)
    this.logger.debug("api: client disconnected", { connectionId: connection.id })
  }

  private refuse(socket: Socket): void {
    this.logger.warn("api: too many clients, refusing one", { maxConnections: this.options.maxConnections })
    const error = new LanvaultError("NOT_ALLOWED", `too many clients of the lanvault daemon (${this.options.maxConnections}): close some and retry`)
    socket.on("error", () => {})
    const timer = setTimeout(() => socket.destroy(), REFUSE_GRACE_MS)
    timer.unref()
    socket.end(`${encodeError(null, error)}\n`, () => {
      clearTimeout(timer)
      socket.destroy()
    })
  }

  private subscribe(params: ParamsOf<"subscribe">, ctx: CallContext): ResultOf<"subscribe"> {
    const names = parseEventNames(params.events)
    const connection = this.connections.get(ctx.connectionId)
    return { subscribed: connection === undefined ? names : connection.subscribe(names) }
  }
}
