import { createConnection, type Socket } from "node:net"
import { DaemonNotRunningError, LanvaultError } from "../errors.js"
import { LineReader } from "./line-reader.js"
import { MAX_LINE_BYTES, type CallResult, type EventName, type EventParams, type MethodName, type ParamsOf } from "./protocol.js"
import { encodeRequest, parseIncoming, type IncomingMessage } from "./rpc-codec.js"
import { decodeListResult } from "./summary-rows.js"

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
/** Longest answer line the client reads (bytes): generous, a list of many records is one line. */
const MAX_RESPONSE_LINE_BYTES = 64 * 1024 * 1024
/** connect() errors meaning no daemon listens at the path. */
const NOT_RUNNING_CODES = new Set(["ENOENT", "ECONNREFUSED", "ENOTSOCK"])

/** Where the daemon listens and how long to wait for it. */
export interface ConnectOptions {
  /** The daemon's socket (see `socketPathFor(home)`). */
  socketPath: string
  /** Milliseconds to wait for the connection (default 10 s) and, when set, for each call's answer. */
  timeoutMs?: number
}

/** Per-call options. */
export interface CallOptions {
  /** Milliseconds to wait for this call's answer (default: the client's `timeoutMs`, else no limit). */
  timeoutMs?: number
}

/** Called when the connection has closed; `error` says why when it was not `close()`. */
export type CloseListener = (error?: LanvaultError) => void

interface PendingCall {
  resolve: (result: unknown) => void
  reject: (error: LanvaultError) => void
  timer: NodeJS.Timeout | undefined
  /** Turns the wire's result into what the call resolves to (records.list's rows); may throw a LanvaultError. */
  decode?: (result: unknown) => unknown
}

interface EventListener {
  events: ReadonlySet<EventName> | undefined
  onEvent: (event: EventParams) => void
}

/**
 * Connects to the local daemon. Throws DAEMON_NOT_RUNNING when nothing listens
 * at `socketPath`, TIMEOUT when it does not accept in time.
 */
export async function connect(options: ConnectOptions): Promise<LanvaultClient> {
  const socket = await openSocket(options.socketPath, options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)
  return new LanvaultClient({ socket }, { socketPath: options.socketPath, callTimeoutMs: options.timeoutMs })
}

/**
 * The typed client of the daemon's socket (DESIGN §10), for desktop apps and the
 * CLI. Calls may run concurrently; error answers reject with a LanvaultError
 * whose `code` is the server's stable code.
 */
export class LanvaultClient {
  private readonly socket: Socket
  private readonly socketPath: string
  private readonly callTimeoutMs: number | undefined
  private readonly reader = new LineReader({ maxLineBytes: MAX_RESPONSE_LINE_BYTES })
  private readonly pending = new Map<number, PendingCall>()
  private readonly eventListeners = new Set<EventListener>()
  private readonly closeListeners = new Set<CloseListener>()
  private nextId = 1
  private closed = false
  private closedByUs = false
  private closeReason: LanvaultError | undefined

  /** Wraps a connected socket; most code wants {@link connect}. */
  constructor(deps: { socket: Socket }, options: { socketPath: string; callTimeoutMs?: number }) {
    this.socket = deps.socket
    this.socketPath = options.socketPath
    this.callTimeoutMs = options.callTimeoutMs
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk))
    this.socket.on("error", (error) => {
      this.closeReason ??= this.connectionLost(error)
    })
    this.socket.once("close", () => this.onClose())
  }

  /** Whether the connection has closed (calls then reject at once). */
  get isClosed(): boolean {
    return this.closed
  }

  /** Calls a method; resolves to its result or rejects with the server's typed error. */
  call<M extends MethodName, P extends ParamsOf<M> = ParamsOf<M>>(method: M, params?: P, options: CallOptions = {}): Promise<CallResult<M, P>> {
    if (this.closed || this.closedByUs) return Promise.reject(this.closeReason ?? this.connectionLost())
    const id = this.nextId++
    // records.list comes as rows (fewer bytes, quicker to parse: summary-rows.ts) and is given back as summaries.
    const list = method === "records.list"
    let line: string
    try {
      line = `${encodeRequest(id, method, list ? { ...params, rows: true } : params)}\n`
    } catch (cause) {
      return Promise.reject(new LanvaultError("INVALID_PARAMS", `params of ${method} cannot be sent as JSON`, { cause }))
    }
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
      return Promise.reject(new LanvaultError("MESSAGE_TOO_LARGE", `the ${method} request is longer than ${MAX_LINE_BYTES} bytes`))
    }
    return new Promise<CallResult<M, P>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.callTimeoutMs
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.expire(id, method, timeoutMs), timeoutMs)
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject, timer, decode: list ? decodeListResult : undefined })
      this.socket.write(line)
    })
  }

  /** Receives every event (`onEvent` only) or the named ones, from now until the connection closes. */
  subscribe(onEvent: (event: EventParams) => void): Promise<void>
  subscribe(events: EventName[] | undefined, onEvent: (event: EventParams) => void): Promise<void>
  async subscribe(
    eventsOrListener: EventName[] | undefined | ((event: EventParams) => void),
    maybeListener?: (event: EventParams) => void,
  ): Promise<void> {
    const events = typeof eventsOrListener === "function" ? undefined : eventsOrListener
    const onEvent = typeof eventsOrListener === "function" ? eventsOrListener : maybeListener
    if (onEvent === undefined) throw new LanvaultError("USAGE", "subscribe needs an event listener")
    const listener: EventListener = { events: events === undefined ? undefined : new Set(events), onEvent }
    this.eventListeners.add(listener)
    try {
      await this.call("subscribe", events === undefined ? {} : { events })
    } catch (error) {
      this.eventListeners.delete(listener)
      throw error
    }
  }

  /** Registers a listener for the end of the connection. */
  on(event: "close", listener: CloseListener): this {
    if (event === "close") this.closeListeners.add(listener)
    return this
  }

  /** Removes a listener added with {@link on}. */
  off(event: "close", listener: CloseListener): this {
    if (event === "close") this.closeListeners.delete(listener)
    return this
  }

  /** Closes the connection; calls still waiting reject. Idempotent. */
  close(): void {
    if (this.closed || this.closedByUs) return
    this.closedByUs = true
    this.rejectPending(new LanvaultError("DAEMON_NOT_RUNNING", "the connection to the lanvault daemon was closed by this client"))
    this.socket.end(() => this.socket.destroy())
  }

  private onData(chunk: Buffer): void {
    const { lines, tooLarge } = this.reader.push(chunk)
    for (const line of lines) this.onMessage(parseIncoming(line))
    if (tooLarge) {
      this.closeReason ??= new LanvaultError("PROTOCOL_ERROR", `the daemon sent a line longer than ${MAX_RESPONSE_LINE_BYTES} bytes`)
      this.socket.destroy()
    }
  }

  private onMessage(message: IncomingMessage): void {
    if (message.kind === "notification") {
      if (message.method === "event") this.emitEvent(message.params as EventParams)
      return
    }
    if (message.kind === "invalid") return
    if (message.id === null && message.kind === "error") {
      // Not tied to a request (a refused connection, a line too long): it explains the close that follows.
      this.closeReason ??= message.error
      return
    }
    const call = typeof message.id === "number" ? this.pending.get(message.id) : undefined
    if (call === undefined) return
    this.pending.delete(message.id as number)
    clearTimeout(call.timer)
    if (message.kind === "error") call.reject(message.error)
    else this.settle(call, message.result)
  }

  private settle(call: PendingCall, result: unknown): void {
    if (call.decode === undefined) return call.resolve(result)
    try {
      call.resolve(call.decode(result))
    } catch (error) {
      call.reject(error instanceof LanvaultError ? error : new LanvaultError("PROTOCOL_ERROR", "the daemon's answer could not be read", { cause: error }))
    }
  }

  private emitEvent(event: EventParams): void {
    if (typeof event !== "object" || event === null) return
    for (const listener of this.eventListeners) {
      if (listener.events !== undefined && !listener.events.has(event.type)) continue
      try {
        listener.onEvent(event)
      } catch (error) {
        // The app's own bug: surface it like an EventEmitter would, without corrupting our state.
        queueMicrotask(() => {
          throw error
        })
      }
    }
  }

  private expire(id: number, method: string, timeoutMs: number): void {
    const call = this.pending.get(id)
    if (call === undefined) return
    this.pending.delete(id)
    call.reject(new LanvaultError("TIMEOUT", `the lanvault daemon did not answer ${method} within ${timeoutMs} ms`))
  }

  private onClose(): void {
    this.closed = true
    const reason = this.closedByUs ? undefined : (this.closeReason ?? this.connectionLost())
    this.rejectPending(reason ?? this.connectionLost())
    this.eventListeners.clear()
    for (const listener of this.closeListeners) listener(reason)
  }

  private rejectPending(error: LanvaultError): void {
    for (const call of this.pending.values()) {
      clearTimeout(call.timer)
      call.reject(error)
    }
    this.pending.clear()
  }

  private connectionLost(cause?: unknown): LanvaultError {
    const message = `the connection to the lanvault daemon closed (socket ${this.socketPath}): check it with \`lanvault status\``
    return new LanvaultError("DAEMON_NOT_RUNNING", message, cause === undefined ? undefined : { cause })
  }
}

function openSocket(socketPath: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new LanvaultError("TIMEOUT", `the lanvault daemon did not accept a connection within ${timeoutMs} ms (socket ${socketPath})`))
    }, timeoutMs)
    socket.once("connect", () => {
      clearTimeout(timer)
      socket.off("error", onError)
      resolve(socket)
    })
    const onError = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      if (NOT_RUNNING_CODES.has(error.code ?? "")) reject(new DaemonNotRunningError(socketPath))
      else reject(new LanvaultError("NOT_ALLOWED", `cannot connect to the lanvault daemon at ${socketPath} (${error.code ?? "error"})`, { cause: error }))
    }
    socket.once("error", onError)
  })
}
