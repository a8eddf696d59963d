import { InvalidParamsError, isErrorCode, LanvaultError, rpcCodeOf, type ErrorCode } from "../errors.js"
import { asciiJson, frozenListBytes, frozenListJson, summaryRowsBytes } from "./frozen-json.js"
import { EVENT_NAMES, type EventName, type EventParams } from "./protocol.js"
import { SUMMARY_COLUMNS, SummaryRows } from "./summary-rows.js"
import type { ApiLogger } from "./types.js"

/**
 * JSON-RPC 2.0 framing of the socket contract (DESIGN §10), without I/O: one
 * line in, a request or a typed error out; responses, errors and notifications
 * built as lines. Both the server and the client use it.
 */

const JSONRPC_VERSION = "2.0"
/** Longest piece of a client-chosen string (a method name) echoed back in a message. */
const MAX_ECHOED_CHARS = 100
const INTERNAL_MESSAGE = "internal error in the lanvault daemon: see its log for details"

/** A JSON-RPC id: how a client matches a response to its request. */
export type RpcId = string | number | null

/** A well-formed request; `id` undefined means a notification (no response is sent). */
export interface RpcRequest {
  id: RpcId | undefined
  method: string
  params: unknown
}

/** The outcome of parsing one request line. */
export type ParsedRequest = { ok: true; request: RpcRequest } | { ok: false; id: RpcId; error: LanvaultError }

/** The `error` member of a response: `data.name` carries the stable code. */
export interface RpcErrorObject {
  code: number
  message: string
  data: Record<string, unknown> & { name: ErrorCode }
}

/** A line the client received, classified. */
export type IncomingMessage =
  | { kind: "result"; id: RpcId; result: unknown }
  | { kind: "error"; id: RpcId; error: LanvaultError }
  | { kind: "notification"; method: string; params: unknown }
  | { kind: "invalid"; reason: string }

/** Parses one request line; never throws: malformed input yields PARSE_ERROR or INVALID_REQUEST. */
export function parseRequest(line: string): ParsedRequest {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return fail(null, "PARSE_ERROR", "the request is not valid JSON: send one JSON-RPC 2.0 object per line")
  }
  if (!isPlainObject(value)) return fail(null, "INVALID_REQUEST", "the request must be a JSON object")
  const hasId = Object.hasOwn(value, "id")
  if (hasId && !isRpcId(value.id)) return fail(null, "INVALID_REQUEST", 'the request "id" must be a string, a number or null')
  const id = hasId ? (value.id as RpcId) : null
  if (value.jsonrpc !== JSONRPC_VERSION) return fail(id, "INVALID_REQUEST", 'the request must have "jsonrpc": "2.0"')
  if (typeof value.method !== "string" || value.method === "") {
    return fail(id, "INVALID_REQUEST", 'the request has no "method" string')
  }
  return { ok: true, request: { id: hasId ? id : undefined, method: value.method, params: value.params } }
}

/** Checks that params are a JSON object (or absent, read as `{}`). */
export function checkParams(params: unknown): Record<string, unknown> {
  if (params === undefined) return {}
  if (isPlainObject(params)) return params
  throw new InvalidParamsError('"params" must be a JSON object')
}

/** The events a `subscribe` asks for: all of them when absent; unknown names are INVALID_PARAMS. */
export function parseEventNames(events: unknown): EventName[] {
  if (events === undefined) return [...EVENT_NAMES]
  if (!Array.isArray(events)) throw new InvalidParamsError('"events" must be an array of event names')
  for (const name of events) {
    if (typeof name !== "string" || !(EVENT_NAMES as readonly string[]).includes(name)) {
      throw new InvalidParamsError(`unknown event ${clip(JSON.stringify(name) ?? String(name))}: expected some of ${EVENT_NAMES.join(", ")}`)
    }
  }
  return [...new Set(events as EventName[])]
}

/** The METHOD_NOT_FOUND error for a method name a client sent. */
export function methodNotFound(method: string): LanvaultError {
  const shown = clip(method)
  return new LanvaultError("METHOD_NOT_FOUND", `unknown method "${shown}": see the method list in DESIGN §10`, { data: { method: shown } })
}

/**
 * The error to put on the wire for anything a handler threw. A LanvaultError keeps
 * its code, message and data; anything else becomes a generic INTERNAL (its message
 * might hold a secret) and is logged by name, code and stack frames only.
 */
export function toWireError(error: unknown, logger: ApiLogger, fields: Record<string, unknown> = {}): LanvaultError {
  if (error instanceof LanvaultError && isErrorCode(error.code)) return error
  logger.error("api: unexpected error while handling a request", { ...fields, err: redactedError(error) })
  return internalError()
}

/** A generic INTERNAL error that says nothing about its cause. */
export function internalError(): LanvaultError {
  return new LanvaultError("INTERNAL", INTERNAL_MESSAGE)
}

/** The JSON-RPC error object for a typed error. */
export function errorObject(error: LanvaultError): RpcErrorObject {
  return { code: rpcCodeOf(error.code), message: error.message, data: { ...error.data, name: error.code } }
}

/**
 * A response line as the socket writes it: text, or its pieces as bytes, in
 * order (a long list's cached ASCII JSON between its head and tail), never the
 * newline.
 */
export type ResponseLine = string | readonly Uint8Array[]

/** A success response line (without the newline); a long list of frozen objects is joined from cached JSON (frozen-json.ts). */
export function encodeResult(id: RpcId, result: unknown): string {
  if (result instanceof SummaryRows) return Buffer.concat(rowsLine(id, result)).toString("latin1")
  const list = frozenListJson(result)
  if (list !== undefined) return `${resultHead(id)}${list}}`
  return JSON.stringify({ jsonrpc: JSONRPC_VERSION, id, result: result ?? null })
}

/** {@link encodeResult} for the socket: a long list of frozen objects as its cached bytes between head and tail, not copied into one string. */
export function encodeResultLine(id: RpcId, result: unknown): ResponseLine {
  if (result instanceof SummaryRows) return rowsLine(id, result)
  const list = frozenListBytes(result)
  if (list === undefined) return encodeResult(id, result)
  return [Buffer.from(resultHead(id), "latin1"), list, RESULT_TAIL]
}

const RESULT_TAIL = Buffer.from("}")
const ROWS_TAIL = Buffer.from("}}")
const ROWS_HEAD = Buffer.from(`{"columns":${JSON.stringify(SUMMARY_COLUMNS)},"rows":`, "latin1")

/** A whole list as rows (summary-rows.ts): the rows' cached bytes between head and tail. */
function rowsLine(id: RpcId, result: SummaryRows): Buffer[] {
  return [Buffer.from(resultHead(id), "latin1"), ROWS_HEAD, summaryRowsBytes(result.summaries), ROWS_TAIL]
}

/** `{"jsonrpc":"2.0","id":…,"result":` in ASCII (a client's string id may hold any character). */
function resultHead(id: RpcId): string {
  return `{"jsonrpc":"${JSONRPC_VERSION}","id":${asciiJson(JSON.stringify(id))},"result":`
}

/** An error response line (without the newline). */
export function encodeError(id: RpcId, error: LanvaultError): string {
  return JSON.stringify({ jsonrpc: JSONRPC_VERSION, id, error: errorObject(error) })
}

/** A notification line (without the newline). */
export function encodeNotification(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: JSONRPC_VERSION, method, params })
}

/** The `event` notification a subscriber receives. */
export function encodeEvent(event: EventParams): string {
  return encodeNotification("event", event)
}

/** A request line (without the newline); params left out when undefined. */
export function encodeRequest(id: RpcId, method: string, params?: unknown): string {
  return JSON.stringify(params === undefined ? { jsonrpc: JSONRPC_VERSION, id, method } : { jsonrpc: JSONRPC_VERSION, id, method, params })
}

/** Classifies a line from the server (client side); never throws. */
export function parseIncoming(line: string): IncomingMessage {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { kind: "invalid", reason: "not JSON" }
  }
  if (!isPlainObject(value) || value.jsonrpc !== JSONRPC_VERSION) return { kind: "invalid", reason: "not a JSON-RPC 2.0 object" }
  if (typeof value.method === "string") return { kind: "notification", method: value.method, params: value.params }
  if (!isRpcId(value.id)) return { kind: "invalid", reason: "bad id" }
  if (Object.hasOwn(value, "error")) return { kind: "error", id: value.id, error: decodeError(value.error) }
  if (Object.hasOwn(value, "result")) return { kind: "result", id: value.id, result: value.result }
  return { kind: "invalid", reason: "neither result nor error" }
}

/** Rebuilds a typed error from a JSON-RPC error object: code from `data.name`, the rest of `data` kept. */
export function decodeError(value: unknown): LanvaultError {
  const object = isPlainObject(value) ? value : {}
  const message = typeof object.message === "string" ? object.message : "the lanvault daemon returned an error without a message"
  const { name, ...data } = isPlainObject(object.data) ? object.data : {}
  const code: ErrorCode = isErrorCode(name) ? name : "INTERNAL"
  return new LanvaultError(code, message, Object.keys(data).length > 0 ? { data } : undefined)
}

function fail(id: RpcId, code: ErrorCode, message: string): ParsedRequest {
  return { ok: false, id, error: new LanvaultError(code, message) }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

function isRpcId(value: unknown): value is RpcId {
  return value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value))
}

function clip(text: string): string {
  return text.length <= MAX_ECHOED_CHARS ? text : `${text.slice(0, MAX_ECHOED_CHARS)}…`
}

/** Name, code and stack frames of an error, without its message (which might hold a secret). */
function redactedError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error }
  const frames = (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line))
  const code = (error as { code?: unknown }).code
  return { name: error.name, code: typeof code === "string" ? clip(code) : undefined, stack: frames.join("\n") }
}
