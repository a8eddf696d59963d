import type { Socket } from "node:net"
import { LanvaultError } from "../errors.js"
import { LineReader } from "./line-reader.js"
import type { EventName } from "./protocol.js"
import { encodeError, type ResponseLine } from "./rpc-codec.js"
import type { ApiLogger, CallContext } from "./types.js"

/** How long a connection being closed for a protocol error may take to flush its last line. */
const CLOSE_GRACE_MS = 1_000
const NEWLINE = Buffer.from("\n")
/**
 * How long work that lets answers go first (a new device's backfill check) waits
 * for one answer to reach its client: a client that stops reading is not waited
 * for beyond this.
 */
const MAX_ANSWER_PRIORITY_MS = 1_000

/** What an {@link ApiConnection} needs. */
export interface ApiConnectionDeps {
  socket: Socket
  logger: ApiLogger
  /** Handles one request line; resolves to the line to answer, if any. Must not reject. */
  handle: (line: string, ctx: CallContext) => Promise<ResponseLine | undefined>
  /** Called once, when the socket has closed. */
  onClose: (connection: ApiConnection) => void
}

/** Limits of one connection. */
export interface ApiConnectionOptions {
  id: number
  /** Longest request line, in bytes. */
  maxLineBytes: number
  /** Requests handled at once before reading pauses. */
  maxInFlight: number
  /** Unsent response bytes above which reading pauses until the client drains them. */
  maxQueuedResponseBytes: number
  /** Unsent event bytes above which a subscriber is disconnected. */
  maxQueuedEventBytes: number
}

/**
 * One client of the local socket: reads request lines with a bounded buffer,
 * handles them concurrently (answers may go out of order; ids match them), keeps
 * its event subscriptions, and applies back-pressure so a client that stops
 * reading cannot make the daemon buffer without bound.
 */
export class ApiConnection {
  /** Passed to handlers as `ctx.connectionId`. */
  readonly id: number
  private readonly socket: Socket
  private readonly logger: ApiLogger
  private readonly options: ApiConnectionOptions
  private readonly deps: ApiConnectionDeps
  private readonly reader: LineReader
  private readonly subscriptions = new Set<EventName>()
  private inFlight = 0
  private queuedEventBytes = 0
  private paused = false
  private readEnded = false
  private closing = false
  /** When each answer still being written was handed to the socket, oldest first (they flush in order). */
  private readonly unsentSince: number[] = []
  private flushWaiters: Array<() => void> = []

  constructor(deps: ApiConnectionDeps, options: ApiConnectionOptions) {
    this.deps = deps
    this.socket = deps.socket
    this.logger = deps.logger
    this.options = options
    this.id = options.id
    this.reader = new LineReader({ maxLineBytes: options.maxLineBytes })
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk))
    this.socket.on("end", () => this.onEnd())
    this.socket.on("drain", () => this.updateFlow())
    this.socket.on("error", (error: NodeJS.ErrnoException) => this.logger.debug("api: connection error", { connectionId: this.id, code: error.code }))
    this.socket.once("close", () => {
      this.closing = true
      this.unsentSince.length = 0
      this.wakeFlushWaiters()
      this.deps.onClose(this)
    })
  }

  /**
   * Settles once the answers being written now have reached the client; undefined
   * when there are none (or the oldest has waited MAX_ANSWER_PRIORITY_MS: a client
   * not reading is not waited for). A 3.5 MB list goes out in socket-buffer
   * pieces, one per turn of the event loop: work done in slices waits for this so
   * it does not stretch the answer over its slices.
   */
  answersFlushed(now = Date.now()): Promise<void> | undefined {
    const oldest = this.unsentSince[0]
    if (oldest === undefined || now - oldest >= MAX_ANSWER_PRIORITY_MS) return undefined
    return new Promise<void>((resolve) => {
      // One millisecond more: a timer's clock and Date.now() round apart, and a timer that fired a millisecond
      // early left the answer still "young" to the next call (a CI run saw it).
      const timer = setTimeout(done, MAX_ANSWER_PRIORITY_MS - (now - oldest) + 1)
      timer.unref()
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.flushWaiters.push(done)
    })
  }

  /** Adds event names to this connection's subscriptions; returns all of them. */
  subscribe(names: readonly EventName[]): EventName[] {
    for (const name of names) this.subscriptions.add(name)
    return [...this.subscriptions]
  }

  /** Sends an event line if subscribed; disconnects a subscriber that fell too far behind. */
  pushEvent(type: EventName, line: string): void {
    if (this.closing || !this.subscriptions.has(type)) return
    const bytes = Buffer.byteLength(line)
    if (this.queuedEventBytes + bytes > this.options.maxQueuedEventBytes) {
      this.logger.warn("api: disconnecting a subscriber that stopped reading events", { connectionId: this.id, queuedBytes: this.queuedEventBytes })
      this.close()
      return
    }
    this.queuedEventBytes += bytes
    this.socket.write(line, () => {
      this.queuedEventBytes -= bytes
    })
  }

  /** Closes the connection now; handlers still running have their answers dropped. */
  close(): void {
    this.closing = true
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    const { lines, tooLarge } = this.reader.push(chunk)
    for (const line of lines) this.dispatch(line)
    if (tooLarge) this.rejectOversizedLine()
  }

  private onEnd(): void {
    for (const line of this.reader.end()) this.dispatch(line)
    this.readEnded = true
    this.finishIfDone()
  }

  private dispatch(line: string): void {
    if (this.closing) return
    this.inFlight += 1
    this.updateFlow()
    this.deps
      .handle(line, { connectionId: this.id })
      .then((answer) => this.send(answer))
      .catch((error: unknown) => this.logger.error("api: dispatch failed", { connectionId: this.id, name: (error as Error)?.name }))
      .finally(() => {
        this.inFlight -= 1
        this.updateFlow()
        this.finishIfDone()
      })
  }

  private send(line: ResponseLine | undefined): void {
    if (line === undefined || this.closing || !this.socket.writable) return
    this.unsentSince.push(Date.now())
    const flushed = () => {
      this.unsentSince.shift()
      if (this.unsentSince.length === 0) this.wakeFlushWaiters()
    }
    if (typeof line === "string") {
      this.socket.write(`${line}\n`, flushed)
      return
    }
    // A long list's pieces go out in one writev, the cached bytes not copied.
    this.socket.cork()
    for (const piece of line) this.socket.write(piece)
    this.socket.write(NEWLINE, flushed)
    this.socket.uncork()
  }

  private wakeFlushWaiters(): void {
    for (const wake of this.flushWaiters.splice(0)) wake()
  }

  private rejectOversizedLine(): void {
    const error = new LanvaultError("MESSAGE_TOO_LARGE", `request line longer than ${this.options.maxLineBytes} bytes: the connection is closed`)
    this.logger.warn("api: request line too long, closing the connection", { connectionId: this.id, maxLineBytes: this.options.maxLineBytes })
    this.closing = true
    this.socket.pause()
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS)
    timer.unref()
    this.socket.end(`${encodeError(null, error)}\n`, () => {
      clearTimeout(timer)
      this.socket.destroy()
    })
  }

  /** Pauses reading while too many requests run or too many answer bytes wait for the client. */
  private updateFlow(): void {
    if (this.closing) return
    const busy = this.inFlight >= this.options.maxInFlight || this.socket.writableLength > this.options.maxQueuedResponseBytes
    if (busy && !this.paused) {
      this.paused = true
      this.socket.pause()
    } else if (!busy && this.paused) {
      this.paused = false
      this.socket.resume()
    }
  }

  /** A client that half-closed gets its last answers, then the end of the stream. */
  private finishIfDone(): void {
    if (this.readEnded && this.inFlight === 0 && !this.closing) {
      this.closing = true
      this.socket.end()
    }
  }
}
