import type { LanvaultError } from "../errors.js"
import type { MethodName } from "./protocol.js"
import { checkParams, encodeError, encodeResultLine, methodNotFound, parseRequest, toWireError, type ResponseLine, type RpcId } from "./rpc-codec.js"
import { SILENT_API_LOGGER, type ApiHandlers, type ApiLogger, type CallContext } from "./types.js"

/** What a {@link RpcDispatcher} needs. */
export interface RpcDispatcherDeps {
  handlers: ApiHandlers
  logger?: ApiLogger
  /** Called with the method name on every well-formed request (the daemon's idle auto-lock). */
  onActivity?: (method: string) => void
}

type AnyHandler = (params: unknown, ctx: CallContext) => unknown

/**
 * Turns one request line into one response line: parses, finds the handler,
 * checks that params are an object, and maps whatever is thrown to a typed
 * JSON-RPC error. No I/O; never rejects.
 */
export class RpcDispatcher {
  private readonly handlers: ApiHandlers
  private readonly logger: ApiLogger
  private readonly onActivity: ((method: string) => void) | undefined

  constructor(deps: RpcDispatcherDeps) {
    this.handlers = deps.handlers
    this.logger = deps.logger ?? SILENT_API_LOGGER
    this.onActivity = deps.onActivity
  }

  /** Handles one line; resolves to the response line, or undefined for a blank line or a notification. */
  async handle(line: string, ctx: CallContext): Promise<ResponseLine | undefined> {
    if (line.trim() === "") return undefined
    const parsed = parseRequest(line)
    if (!parsed.ok) {
      this.logger.debug("api: malformed request", { connectionId: ctx.connectionId, code: parsed.error.code })
      return this.encodeFailure(parsed.id, parsed.error)
    }
    const { id, method, params } = parsed.request
    this.touch(method)
    try {
      const result = await this.invoke(method, params, ctx)
      if (id === undefined) return undefined
      return this.encodeSuccess(id, method, result)
    } catch (error) {
      const wire = toWireError(error, this.logger, { method: this.knownMethod(method) })
      this.logger.debug("api: request failed", { connectionId: ctx.connectionId, method: this.knownMethod(method), code: wire.code })
      return id === undefined ? undefined : this.encodeFailure(id, wire)
    }
  }

  private async invoke(method: string, params: unknown, ctx: CallContext): Promise<unknown> {
    const handler = Object.hasOwn(this.handlers, method) ? (this.handlers[method as MethodName] as AnyHandler | undefined) : undefined
    if (typeof handler !== "function") throw methodNotFound(method)
    return await handler(checkParams(params), ctx)
  }

  private encodeSuccess(id: RpcId, method: string, result: unknown): ResponseLine {
    try {
      return encodeResultLine(id, result)
    } catch (error) {
      // A result that JSON cannot carry (a BigInt, a cycle) is a bug of ours, not the caller's.
      return this.encodeFailure(id, toWireError(error, this.logger, { method }))
    }
  }

  private encodeFailure(id: RpcId, error: LanvaultError): string {
    try {
      return encodeError(id, error)
    } catch (cause) {
      return encodeError(id, toWireError(cause, this.logger, { code: error.code }))
    }
  }

  private touch(method: string): void {
    if (this.onActivity === undefined) return
    try {
      this.onActivity(method)
    } catch (error) {
      toWireError(error, this.logger, { hook: "onActivity" })
    }
  }

  /** The method name if it is one we serve (safe to log), else a placeholder: a client chose it. */
  private knownMethod(method: string): string {
    return Object.hasOwn(this.handlers, method) ? method : "(unknown)"
  }
}
