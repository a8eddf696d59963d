import { InvalidParamsError } from "../errors.js"
import { FIELD_KINDS, type FieldKind, type FieldValue, type RecordInput, type RecordPatch } from "./types.js"

const MAX_TEXT_CHARS = 1_000
const MAX_NAME_CHARS = 200
const MAX_VALUE_BYTES = 64 * 1024
const MAX_NOTES_BYTES = 1024 * 1024
const MAX_FIELDS_PER_WRITE = 1_000
const MAX_TAGS = 200
const MAX_HISTORY_ENTRIES = 1_000
const SETTABLE_KEYS = ["type", "title", "fields", "notes", "tags", "favorite"]
// Dates and history only at creation: an import keeps what the other manager knew.
const INPUT_KEYS = new Set([...SETTABLE_KEYS, "createdAt", "updatedAt", "history"])
const SET_KEYS = new Set([...SETTABLE_KEYS, "trashed"])
const PATCH_KEYS = new Set(["set", "unset"])
// Automerge refuses this key in maps, and as a JS property it would set a prototype.
const FORBIDDEN_NAME = "__proto__"
/** Checks of the optional parts a create and an update share. */
const SETTERS: Record<string, (value: unknown) => void> = {
  fields: checkFields,
  notes: (v) => checkString(v, "notes", MAX_NOTES_BYTES),
  tags: checkTags,
  favorite: (v) => checkBoolean(v, "favorite"),
}

/** Whether `id` is a record id {@link checkRecordId} accepts (a test for hot loops: no throw). */
export function isRecordId(id: unknown): id is string {
  return typeof id === "string" && id.length > 0 && id.length <= MAX_NAME_CHARS && id !== FORBIDDEN_NAME
}

/** Checks a record id given by a caller. */
export function checkRecordId(id: unknown): asserts id is string {
  if (!isRecordId(id)) {
    throw new InvalidParamsError(`a record id must be a non-empty string of at most ${MAX_NAME_CHARS} characters`)
  }
}

/** Checks what a create takes; throws InvalidParamsError naming the bad part (never a value). */
export function checkRecordInput(input: unknown): asserts input is RecordInput {
  checkObject(input, "a record", INPUT_KEYS)
  checkText(input.type, "type")
  checkText(input.title, "title")
  checkOptional(input, SETTERS)
  checkOptional(input, { createdAt: (v) => checkTime(v, "createdAt"), updatedAt: (v) => checkTime(v, "updatedAt"), history: checkHistory })
}

/** Checks what an update takes; a field may not be both set and unset. */
export function checkRecordPatch(patch: unknown): asserts patch is RecordPatch {
  checkObject(patch, "a patch", PATCH_KEYS)
  if (patch.set !== undefined) {
    checkObject(patch.set, "patch.set", SET_KEYS)
    if (patch.set.type !== undefined) checkText(patch.set.type, "type")
    if (patch.set.title !== undefined) checkText(patch.set.title, "title")
    checkOptional(patch.set, { ...SETTERS, trashed: (v) => checkBoolean(v, "trashed") })
  }
  if (patch.unset === undefined) return
  if (!Array.isArray(patch.unset)) throw new InvalidParamsError("unset must be a list of field names")
  const setFields = (patch.set?.fields ?? {}) as Record<string, unknown>
  for (const name of patch.unset) {
    checkName(name, "field name")
    if (Object.hasOwn(setFields, name)) throw new InvalidParamsError(`field "${name}" is both set and unset`)
  }
}

function checkOptional(object: Record<string, unknown>, setters: Record<string, (value: unknown) => void>): void {
  for (const [key, check] of Object.entries(setters)) if (object[key] !== undefined) check(object[key])
}

function checkObject(value: unknown, what: string, keys: ReadonlySet<string>): asserts value is Record<string, any> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidParamsError(`${what} must be an object`)
  for (const key of Object.keys(value)) if (!keys.has(key)) throw new InvalidParamsError(`${what} has an unknown key "${key}"`)
}

function checkFields(fields: unknown): void {
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) throw new InvalidParamsError("fields must be an object")
  const entries = Object.entries(fields)
  if (entries.length > MAX_FIELDS_PER_WRITE) throw new InvalidParamsError(`at most ${MAX_FIELDS_PER_WRITE} fields per write`)
  for (const [name, field] of entries) {
    checkName(name, "field name")
    checkField(name, field)
  }
}

function checkField(name: string, field: unknown): asserts field is FieldValue {
  if (typeof field !== "object" || field === null) throw new InvalidParamsError(`field "${name}" must be { value, kind }`)
  const { value, kind } = field as Record<string, unknown>
  if (!FIELD_KINDS.includes(kind as FieldKind)) throw new InvalidParamsError(`field "${name}" has an unknown kind: use one of ${FIELD_KINDS.join(", ")}`)
  checkString(value, `the value of field "${name}"`, MAX_VALUE_BYTES)
}

function checkTime(value: unknown, what: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new InvalidParamsError(`${what} must be a time in ms since 1970`)
}

function checkHistory(history: unknown): void {
  if (!Array.isArray(history)) throw new InvalidParamsError("history must be a list")
  if (history.length > MAX_HISTORY_ENTRIES) throw new InvalidParamsError(`at most ${MAX_HISTORY_ENTRIES} history entries`)
  for (const entry of history) {
    if (typeof entry !== "object" || entry === null) throw new InvalidParamsError("a history entry must be { field, value, kind, changedAt, reason }")
    const { field, value, kind, changedAt, reason } = entry as Record<string, unknown>
    checkName(field, "history field name")
    checkField(String(field), { value, kind })
    checkTime(changedAt, "a history entry's changedAt")
    if (!["edited", "removed", "conflict"].includes(reason as string)) throw new InvalidParamsError("a history entry's reason is edited, removed or conflict")
  }
}

function checkTags(tags: unknown): void {
  if (!Array.isArray(tags)) throw new InvalidParamsError("tags must be a list of strings")
  if (tags.length > MAX_TAGS) throw new InvalidParamsError(`at most ${MAX_TAGS} tags`)
  for (const tag of tags) checkName(tag, "tag")
}

function checkText(value: unknown, what: string): void {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_TEXT_CHARS) {
    throw new InvalidParamsError(`${what} must be a non-empty string of at most ${MAX_TEXT_CHARS} characters`)
  }
}

function checkName(value: unknown, what: string): void {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_NAME_CHARS || value === FORBIDDEN_NAME) {
    throw new InvalidParamsError(`a ${what} must be a non-empty string of at most ${MAX_NAME_CHARS} characters (not "${FORBIDDEN_NAME}")`)
  }
}

function checkString(value: unknown, what: string, maxBytes: number): void {
  if (typeof value !== "string") throw new InvalidParamsError(`${what} must be a string`)
  // Cheap bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (value.length * 3 > maxBytes && Buffer.byteLength(value, "utf8") > maxBytes) {
    throw new InvalidParamsError(`${what} is longer than ${maxBytes} bytes`)
  }
}

function checkBoolean(value: unknown, what: string): void {
  if (typeof value !== "boolean") throw new InvalidParamsError(`${what} must be true or false`)
}
