import { concatBytes, utf8 } from "../crypto/index.js"
import { setOwn } from "../own-property.js"
import { bucketOf } from "./bucket.js"
import { compareSummaries } from "./list-filter.js"
import { isRecordId } from "./validate.js"
import { FIELD_KINDS, HIDDEN_KINDS, type FieldKind, type RecordSummary } from "./types.js"

/**
 * A bucket snapshot with its summary index: `"LVB2" ‖ u32 BE length ‖ the
 * Automerge save() ‖ UTF-8 JSON of the bucket's record summaries` (what
 * `records.list` shows of them, sorted). Both halves are made from the same
 * document in the same call and sealed together (unlocked-vault.ts), so the
 * index can never describe another state of the bucket than the one saved
 * beside it. A snapshot without the prefix is an older plain save() (no index).
 */
const SNAPSHOT_MAGIC = utf8("LVB2")
const LENGTH_BYTES = 4
const textDecoder = new TextDecoder("utf-8", { fatal: true })

/** A bucket snapshot taken apart: the Automerge bytes, and the index if it has a sound one. */
export interface DecodedBucketSnapshot {
  /** A copy of its own: a cold bucket keeps it, and the index half of the snapshot (often larger) can go. */
  saved: Uint8Array
  /** Sorted and frozen; undefined when the snapshot has no index or it fails its checks (then the bucket is read instead). */
  summaries?: readonly RecordSummary[]
  /**
   * The index encoded already (a bucket an import just filled: encoded in its slices), used by the
   * bucket's next snapshot. A snapshot read at unlock has none: its JSON is not kept (~30 MiB at 100k records).
   */
  encodedSummaries?: Uint8Array
}

/** A bucket's snapshot with its index (see the file comment). */
export function encodeBucketSnapshot(saved: Uint8Array, encodedSummaries: Uint8Array): Uint8Array {
  const length = new Uint8Array(LENGTH_BYTES)
  new DataView(length.buffer).setUint32(0, saved.length)
  return concatBytes(SNAPSHOT_MAGIC, length, saved, encodedSummaries)
}

/** The index half of a snapshot: the summaries as JSON. */
export function encodeSummaries(summaries: readonly RecordSummary[]): Uint8Array {
  return utf8(JSON.stringify(summaries))
}

/**
 * Takes a snapshot of bucket `bucket` apart. The index is a cache: one that is
 * not valid JSON, names a record of another bucket, shows a hidden kind's value
 * or has an unexpected shape is dropped (the caller reads the bucket instead).
 */
export function decodeBucketSnapshot(bytes: Uint8Array, bucket: number, bucketCount: number): DecodedBucketSnapshot {
  if (!hasMagic(bytes)) return { saved: bytes }
  const savedLength = new DataView(bytes.buffer, bytes.byteOffset + SNAPSHOT_MAGIC.length, LENGTH_BYTES).getUint32(0)
  const start = SNAPSHOT_MAGIC.length + LENGTH_BYTES
  if (bytes.length < start + savedLength) return { saved: bytes.slice(start) }
  const saved = bytes.slice(start, start + savedLength)
  const summaries = parseSummaries(bytes.subarray(start + savedLength), bucket, bucketCount)
  return summaries === undefined ? { saved } : { saved, summaries }
}

/** Deep-freezes a summary (list results are shared between calls; api/frozen-json caches their JSON). */
export function freezeSummary(summary: RecordSummary): RecordSummary {
  for (const field of Object.values(summary.fields)) Object.freeze(field)
  Object.freeze(summary.fields)
  Object.freeze(summary.tags)
  return Object.freeze(summary)
}

function hasMagic(bytes: Uint8Array): boolean {
  if (bytes.length < SNAPSHOT_MAGIC.length + LENGTH_BYTES) return false
  return SNAPSHOT_MAGIC.every((byte, i) => bytes[i] === byte)
}

/**
 * The index's summaries, checked one by one as they are rebuilt. An unlock reads
 * every bucket's index (10k records: ≈ 90 ms while its code is still cold), so
 * this is a plain loop: no closure, copy or sort per record that the check does not need.
 */
function parseSummaries(encoded: Uint8Array, bucket: number, bucketCount: number): readonly RecordSummary[] | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(textDecoder.decode(encoded))
  } catch {
    return undefined
  }
  if (!Array.isArray(parsed)) return undefined
  const summaries = new Array<RecordSummary>(parsed.length)
  const ids = new Set<string>()
  // Written sorted: checking the order costs n comparisons, sorting n log n.
  let sorted = true
  for (let i = 0; i < parsed.length; i++) {
    const summary = readSummary(parsed[i])
    if (summary === undefined || ids.has(summary.id) || bucketOf(summary.id, bucketCount) !== bucket) return undefined
    ids.add(summary.id)
    summaries[i] = freezeSummary(summary)
    if (sorted && i > 0 && compareSummaries(summaries[i - 1], summary) > 0) sorted = false
  }
  return Object.freeze(sorted ? summaries : summaries.sort(compareSummaries))
}

/** A summary rebuilt field by field in the order merge/ makes them (so nothing unexpected rides along); undefined if malformed. */
function readSummary(item: unknown): RecordSummary | undefined {
  if (typeof item !== "object" || item === null) return undefined
  const s = item as Record<string, unknown>
  const { id, type, title, favorite, trashed, createdAt, updatedAt } = s
  if (!isRecordId(id) || typeof type !== "string" || typeof title !== "string") return undefined
  if (typeof favorite !== "boolean" || typeof trashed !== "boolean") return undefined
  if (typeof createdAt !== "number" || !Number.isFinite(createdAt) || typeof updatedAt !== "number" || !Number.isFinite(updatedAt)) return undefined
  const tags = readTags(s.tags)
  if (tags === undefined) return undefined
  const fields = readFields(s.fields)
  if (fields === undefined) return undefined
  return { id, type, title, fields, tags, favorite, trashed, createdAt, updatedAt }
}

/** A copy of a list of strings; undefined if it is not one. */
function readTags(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined
  const tags = new Array<string>(value.length)
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") return undefined
    tags[i] = value[i] as string
  }
  return tags
}

/**
 * The fields, in name order, each `{ kind }` or `{ kind, value }`; undefined if one is malformed
 * or shows a hidden kind's value (an index that holds one is not trusted at all).
 */
function readFields(value: unknown): RecordSummary["fields"] | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined
  const names = Object.keys(value)
  let inOrder = true
  for (let i = 1; i < names.length && inOrder; i++) inOrder = names[i - 1] < names[i]
  if (!inOrder) names.sort()
  const fields: RecordSummary["fields"] = {}
  for (const name of names) {
    const field = readField((value as Record<string, unknown>)[name])
    if (field === undefined) return undefined
    // A field named like a prototype key stays an own field (as Object.fromEntries would make it).
    setOwn(fields, name, field)
  }
  return fields
}

function readField(field: unknown): { kind: FieldKind; value?: string } | undefined {
  if (typeof field !== "object" || field === null) return undefined
  const { kind, value } = field as { kind?: unknown; value?: unknown }
  if (!FIELD_KINDS.includes(kind as FieldKind)) return undefined
  if (HIDDEN_KINDS.has(kind as FieldKind)) return value === undefined ? { kind: kind as FieldKind } : undefined
  return typeof value === "string" ? { kind: kind as FieldKind, value } : undefined
}
