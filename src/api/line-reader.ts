import { isAscii } from "node:buffer"
import { MAX_LINE_BYTES } from "./protocol.js"

const NEWLINE_BYTE = 0x0a
const CARRIAGE_RETURN = "\r"

/** What one chunk of bytes yielded. */
export interface LineChunk {
  /** Complete lines, in order, without their `\n` (nor a trailing `\r`). */
  lines: string[]
  /** True once, for the chunk in which a line passed the limit; later chunks yield nothing. */
  tooLarge: boolean
}

/** Options of a {@link LineReader}. */
export interface LineReaderOptions {
  /** Longest line accepted, in bytes, newline excluded (default MAX_LINE_BYTES). */
  maxLineBytes?: number
}

/**
 * Splits a byte stream into UTF-8 lines. Holds at most `maxLineBytes` of an
 * unfinished line, so memory stays bounded whatever the peer sends; a longer line
 * stops the reader for good (the caller answers MESSAGE_TOO_LARGE and closes).
 * Splitting on the byte 0x0a is safe in UTF-8: it never occurs inside a character.
 */
export class LineReader {
  private readonly maxLineBytes: number
  private pending: Buffer[] = []
  private pendingBytes = 0
  private stopped = false

  constructor(options: LineReaderOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES
  }

  /** Whether a line passed the limit (the stream is then ignored). */
  get overflowed(): boolean {
    return this.stopped
  }

  /** Feeds the next chunk; returns the lines it completed. */
  push(chunk: Uint8Array): LineChunk {
    if (this.stopped) return { lines: [], tooLarge: false }
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const lines: string[] = []
    let start = 0
    for (let newline = bytes.indexOf(NEWLINE_BYTE, start); newline !== -1; newline = bytes.indexOf(NEWLINE_BYTE, start)) {
      if (this.pendingBytes + (newline - start) > this.maxLineBytes) return this.overflow(lines)
      lines.push(this.take(bytes.subarray(start, newline)))
      start = newline + 1
    }
    const rest = bytes.subarray(start)
    if (this.pendingBytes + rest.length > this.maxLineBytes) return this.overflow(lines)
    if (rest.length > 0) {
      // Copied: the caller may reuse its buffer, and a small tail should not pin a large chunk.
      this.pending.push(Buffer.from(rest))
      this.pendingBytes += rest.length
    }
    return { lines, tooLarge: false }
  }

  /** Ends the stream: returns the unterminated last line, if any. */
  end(): string[] {
    if (this.stopped || this.pendingBytes === 0) return []
    return [this.take(Buffer.alloc(0))]
  }

  private take(last: Buffer): string {
    const whole = this.pending.length === 0 ? last : Buffer.concat([...this.pending, last])
    this.pending = []
    this.pendingBytes = 0
    // ASCII (the daemon's long lists are) decodes as one-byte text, several times quicker than through UTF-8.
    const line = isAscii(whole) ? whole.toString("latin1") : whole.toString("utf8")
    return line.endsWith(CARRIAGE_RETURN) ? line.slice(0, -1) : line
  }

  private overflow(lines: string[]): LineChunk {
    this.stopped = true
    this.pending = []
    this.pendingBytes = 0
    return { lines, tooLarge: true }
  }
}
