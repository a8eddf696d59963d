import type { Logger } from "../log.js"
import type { MethodName, ParamsOf, ResultOf } from "./protocol.js"

/** The part of the project logger the API uses. Never log params: they may hold passwords. */
export type ApiLogger = Pick<Logger, "debug" | "info" | "warn" | "error">

/** What a handler learns about the call besides its params. */
export interface CallContext {
  /** Stable for the life of one socket connection; unique within one server. */
  connectionId: number
}

/** One method's implementation: gets checked-to-be-an-object params, returns the result or throws a LanvaultError. */
export type MethodHandler<M extends MethodName> = (params: ParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>> | ResultOf<M>

/** The method table the server dispatches to; a missing method answers METHOD_NOT_FOUND. */
export type ApiHandlers = Partial<{ [M in MethodName]: MethodHandler<M> }>

/** A logger that drops everything (the default when none is injected). */
export const SILENT_API_LOGGER: ApiLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
}
