/** Initial buffer size; it doubles as needed. */
const INITIAL_BYTES = 256

/**
 * Appends big-endian integers, fixed-size fields and length-prefixed bytes to a
 * growing buffer: the write half of the sync message codec.
 */
export class ByteWriter {
  private buffer = new Uint8Array(INITIAL_BYTES)
  private view = new DataView(this.buffer.buffer)
  private length = 0

  u8(value: number): this {
    this.reserve(1)
    this.view.setUint8(this.length, value)
    this.length += 1
    return this
  }

  u16(value: number): this {
    this.reserve(2)
    this.view.setUint16(this.length, value)
    this.length += 2
    return this
  }

  u32(value: number): this {
    this.reserve(4)
    this.view.setUint32(this.length, value)
    this.length += 4
    return this
  }

  /** A non-negative safe integer as a u64; anything else is a TypeError (a bug of ours, not a peer's). */
  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${value} is not a non-negative safe integer`)
    this.reserve(8)
    this.view.setBigUint64(this.length, BigInt(value))
    this.length += 8
    return this
  }

  bytes(value: Uint8Array): this {
    this.reserve(value.length)
    this.buffer.set(value, this.length)
    this.length += value.length
    return this
  }

  /** The bytes written so far (a view: the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }

  private reserve(extra: number): void {
    const needed = this.length + extra
    if (needed <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < needed) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buffer.subarray(0, this.length))
    this.buffer = next
    this.view = new DataView(next.buffer)
  }
}
