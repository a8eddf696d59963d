import { LanvaultError } from "../errors.js"

/**
 * Reads big-endian integers and fixed-size fields from a peer's message; any
 * read past the end, or a u64 beyond a safe integer, throws
 * LanvaultError("PROTOCOL_ERROR"). The read half of the sync message codec.
 */
export class ByteReader {
  private readonly view: DataView
  private at = 0

  constructor(private readonly input: Uint8Array) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength)
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.input.length - this.at
  }

  /** Where the next read starts. */
  get offset(): number {
    return this.at
  }

  u8(): number {
    this.need(1)
    return this.view.getUint8(this.at++)
  }

  u16(): number {
    this.need(2)
    const value = this.view.getUint16(this.at)
    this.at += 2
    return value
  }

  u32(): number {
    this.need(4)
    const value = this.view.getUint32(this.at)
    this.at += 4
    return value
  }

  u64(): number {
    this.need(8)
    const value = this.view.getBigUint64(this.at)
    this.at += 8
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw protocolError("an integer is out of range")
    return Number(value)
  }

  /** The next `length` bytes, copied (the input buffer may be reused by the link). */
  bytes(length: number): Uint8Array {
    this.need(length)
    const out = this.input.slice(this.at, this.at + length)
    this.at += length
    return out
  }

  /** Everything left, copied. */
  rest(): Uint8Array {
    return this.bytes(this.remaining)
  }

  /** Everything left, without copying (for a parser that copies what it keeps). */
  restView(): Uint8Array {
    const view = this.input.subarray(this.at)
    this.at = this.input.length
    return view
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.remaining !== 0) throw protocolError(`the message has ${this.remaining} trailing bytes`)
  }

  private need(length: number): void {
    if (this.remaining < length) throw protocolError("the message is truncated")
  }
}

/** The one error a malformed peer message produces. */
export function protocolError(message: string, cause?: unknown): LanvaultError {
  return new LanvaultError("PROTOCOL_ERROR", `malformed sync message: ${message}`, { cause })
}
