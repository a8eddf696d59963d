import { concatBytes, hkdf, toHex, utf8 } from "../crypto/index.js"
import { CorruptDataError } from "../errors.js"
import { MAX_CIPHERTEXT_BYTES, encodeEntry, readEntry, type LogEntry } from "../store/log-entry.js"

/**
 * The `.lvlog` file of a sync folder, as pure functions over bytes: a magic line
 * then one device's log entries in their wire encoding (`encodeEntry`),
 * concatenated in seq order. Files grow only by appending, so a reader may see a
 * trailing entry that is still being written: that is "incomplete", not corrupt.
 */

/** First bytes of every `.lvlog` file; a new layout gets a new number. */
export const LVLOG_MAGIC = utf8("LVLOG1\n")
/** `u8 version ‖ deviceId (16) ‖ u64 seq ‖ u32 epoch ‖ u32 length` (see log-entry.ts). */
const ENTRY_HEADER_BYTES = 1 + 16 + 8 + 4 + 4
const ENTRY_LENGTH_AT = 1 + 16 + 8 + 4
const SIGNATURE_BYTES = 64
const ENTRY_ENCODING_VERSION = 1
const LOG_FILE_PATTERN = /^([0-9a-f]{32})\.lvlog$/
const ACCOUNT_TAG_INFO = "lanvault folder tag v1"
const ACCOUNT_TAG_BYTES = 8

/** What {@link parseLogChunk} found in a chunk of a file. */
export interface ParsedChunk {
  /** Complete, well-formed entries in file order (not yet verified). */
  entries: LogEntry[]
  /** For each entry, the chunk offset just after it. */
  ends: number[]
  /** Bytes of the chunk fully read (header and complete entries); the rest is read again later. */
  consumed: number
  /** Whether the chunk ends inside an entry (or inside the magic) that may still be completed. */
  incomplete: boolean
  /** Set when the bytes at `consumed` can never become a valid entry. */
  error?: CorruptDataError
}

/**
 * A folder name for an account's files, derived from its id by HKDF (RFC 5869):
 * stable across devices, and it does not put the account id on shared storage.
 */
export function accountTagOf(accountId: Uint8Array): string {
  return toHex(hkdf(accountId, ACCOUNT_TAG_INFO, ACCOUNT_TAG_BYTES))
}

/** `<deviceId>.lvlog`. */
export function logFileName(deviceId: string): string {
  return `${deviceId}.lvlog`
}

/** The device id a file name stands for, or undefined if it is not a log file's name. */
export function deviceIdOfFileName(name: string): string | undefined {
  return LOG_FILE_PATTERN.exec(name)?.[1]
}

/** A whole log file: magic then every entry. */
export function encodeLogFile(entries: readonly LogEntry[]): Uint8Array {
  return concatBytes(LVLOG_MAGIC, encodeEntries(entries))
}

/** Entries as they are appended to a log file. */
export function encodeEntries(entries: readonly LogEntry[]): Uint8Array {
  return concatBytes(...entries.map(encodeEntry))
}

/**
 * Reads the complete entries of `chunk`, the bytes of a log file from some
 * entry boundary on (`atFileStart`: from byte 0, so the magic comes first).
 * Never throws: malformed bytes are reported in `error`, a cut-off tail in
 * `incomplete`.
 */
export function parseLogChunk(chunk: Uint8Array, atFileStart: boolean): ParsedChunk {
  const parsed: ParsedChunk = { entries: [], ends: [], consumed: 0, incomplete: false }
  if (atFileStart) {
    const seen = Math.min(chunk.length, LVLOG_MAGIC.length)
    for (let i = 0; i < seen; i++) {
      if (chunk[i] !== LVLOG_MAGIC[i]) {
        parsed.error = new CorruptDataError("not a lanvault log file (bad magic)")
        return parsed
      }
    }
    if (seen < LVLOG_MAGIC.length) {
      parsed.incomplete = true
      return parsed
    }
    parsed.consumed = LVLOG_MAGIC.length
  }
  while (parsed.consumed < chunk.length) {
    // Some network file systems show a grown size before the bytes: zeros are a write still landing.
    if (zerosFrom(chunk, parsed.consumed)) {
      parsed.incomplete = true
      return parsed
    }
    const need = bytesNeeded(chunk, parsed.consumed)
    if (need instanceof CorruptDataError) {
      parsed.error = need
      return parsed
    }
    if (need > chunk.length - parsed.consumed) {
      parsed.incomplete = true
      return parsed
    }
    try {
      const { entry, next } = readEntry(chunk, parsed.consumed)
      parsed.entries.push(entry)
      parsed.ends.push(next)
      parsed.consumed = next
    } catch (error) {
      parsed.error = error instanceof CorruptDataError ? error : new CorruptDataError("malformed log entry", { cause: error })
      return parsed
    }
  }
  return parsed
}

/**
 * How many bytes the entry at `at` occupies, as far as its header tells (a
 * short header: the header size), or why it can never be an entry.
 */
export function bytesNeeded(bytes: Uint8Array, at: number): number | CorruptDataError {
  if (bytes[at] !== ENTRY_ENCODING_VERSION) return new CorruptDataError(`unknown log entry format ${bytes[at]}`)
  if (bytes.length - at < ENTRY_HEADER_BYTES) return ENTRY_HEADER_BYTES
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at + ENTRY_LENGTH_AT)
  if (length > MAX_CIPHERTEXT_BYTES) return new CorruptDataError("log entry ciphertext is too large")
  return ENTRY_HEADER_BYTES + length + SIGNATURE_BYTES
}

/**
 * Checks that a file's entries belong to its device and run on without gaps or
 * repeats (one writer appends 1, 2, 3…). `previousSeq`: the seq of the entry
 * before these, if known (0: the first must be seq 1). Returns how many leading
 * entries pass, and why the next one does not.
 */
export function checkRun(
  entries: readonly LogEntry[],
  deviceId: string,
  previousSeq: number | undefined,
): { valid: number; error?: CorruptDataError } {
  let expected = previousSeq === undefined ? undefined : previousSeq + 1
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]
    if (entry.deviceId !== deviceId) {
      return { valid: i, error: new CorruptDataError(`the log file of device ${deviceId} holds an entry of device ${entry.deviceId}`) }
    }
    if (expected !== undefined && entry.seq !== expected) {
      return { valid: i, error: new CorruptDataError(`the log file of device ${deviceId} has seq ${entry.seq} where ${expected} belongs`) }
    }
    expected = entry.seq + 1
  }
  return { valid: entries.length }
}

function zerosFrom(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < bytes.length; i++) if (bytes[i] !== 0) return false
  return true
}
