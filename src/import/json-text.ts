/** JSON text to a value, with a syntax error reported by line; plus small readers of untrusted JSON. */
import { LanvaultError } from "../errors.js"

/**
 * Parses JSON text. A syntax error (or a cut-short file) throws `IMPORT_FAILED`
 * naming the line, found by `jsonErrorOffset` since V8's messages do not always
 * carry a position.
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const offset = jsonErrorOffset(text)
    const line = lineAt(text, offset)
    const problem = offset >= text.length ? "the file ends early (is it cut short?)" : "invalid JSON"
    throw new LanvaultError("IMPORT_FAILED", `line ${line}: ${problem}: this is not a valid ${what} file`, {
      cause: error,
      data: { line },
    })
  }
}

/** 1-based line of the character at `offset`. */
export function lineAt(text: string, offset: number): number {
  let line = 1
  const end = Math.min(offset, text.length)
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) line++
  return line
}

type Expect = "value" | "value-or-close" | "key" | "key-or-close" | "colon" | "comma-or-close" | "end"

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const WHITESPACE = /[ \t\n\r]*/y

/**
 * Offset of the first JSON syntax error in `text` (RFC 8259), `text.length` when
 * the text ends early, -1 when it is valid. Iterative, so deep nesting is safe.
 */
export function jsonErrorOffset(text: string): number {
  const stack: string[] = []
  let expect: Expect = "value"
  let i = 0
  for (;;) {
    WHITESPACE.lastIndex = i
    WHITESPACE.test(text)
    i = WHITESPACE.lastIndex
    if (i >= text.length) return expect === "end" ? -1 : text.length
    const c = text[i]
    if (expect === "end") return i
    if (expect === "colon") {
      if (c !== ":") return i
      ;[i, expect] = [i + 1, "value"]
    } else if (expect === "comma-or-close") {
      if (c === ",") [i, expect] = [i + 1, stack.at(-1) === "{" ? "key" : "value"]
      else if (c === (stack.at(-1) === "{" ? "}" : "]")) [i, expect] = closeContainer(stack, i)
      else return i
    } else if (expect === "key" || expect === "key-or-close") {
      if (c === "}" && expect === "key-or-close") [i, expect] = closeContainer(stack, i)
      else if (c === '"') [i, expect] = [stringEnd(text, i), "colon"]
      else return i
    } else if (c === "]" && expect === "value-or-close") [i, expect] = closeContainer(stack, i)
    else if (c === "{" || c === "[") [i, expect] = [i + 1, openContainer(stack, c)]
    else {
      const end = scalarEnd(text, i)
      if (end <= i) return end < 0 ? -end - 1 : i
      ;[i, expect] = [end, stack.length > 0 ? "comma-or-close" : "end"]
    }
    if (i < 0) return -i - 1
  }
}

function openContainer(stack: string[], c: string): Expect {
  stack.push(c)
  return c === "{" ? "key-or-close" : "value-or-close"
}

function closeContainer(stack: string[], i: number): [number, Expect] {
  stack.pop()
  return [i + 1, stack.length > 0 ? "comma-or-close" : "end"]
}

// End of the scalar at `i`; a negative result -(k + 1) says the error is at k.
function scalarEnd(text: string, i: number): number {
  if (text[i] === '"') return stringEnd(text, i)
  for (const literal of ["true", "false", "null"]) if (text.startsWith(literal, i)) return i + literal.length
  NUMBER.lastIndex = i
  return NUMBER.test(text) ? NUMBER.lastIndex : i
}

// End (one past the closing quote) of the string starting at `i`; -(k + 1) for an error at k.
function stringEnd(text: string, i: number): number {
  for (let k = i + 1; k < text.length; k++) {
    const code = text.charCodeAt(k)
    if (code === 0x22) return k + 1
    if (code < 0x20) return -(k + 1)
    if (code !== 0x5c) continue
    const escape = text[k + 1]
    if (escape === "u") {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(k + 2, k + 6))) return -(Math.min(k + 2, text.length) + 1)
      k += 5
    } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) k += 1
    else return -(Math.min(k + 1, text.length) + 1)
  }
  return -(text.length + 1)
}

/** `value` as a plain object, or undefined. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

/** `value` as an array, or an empty one. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

/** A string, number or boolean property as a string; anything else as "". */
export function textOf(object: Record<string, unknown> | undefined, key: string): string {
  const value = object === undefined || !Object.hasOwn(object, key) ? undefined : object[key]
  if (typeof value === "string") return value
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return String(value)
  return ""
}

/** A number, or a string of one, as a number; anything else as NaN (never calls into an object). */
export function numberOf(value: unknown): number {
  if (typeof value === "number") return value
  if (typeof value === "string" && value.trim() !== "") return Number(value)
  return Number.NaN
}
