/**
 * Native messaging framing (pure): each message is a 32-bit little-endian
 * length then that many bytes of UTF-8 JSON. Browsers cap host-bound messages
 * at 4 GiB and browser-bound ones at 1 MiB; we refuse anything over the limit.
 */
export const NATIVE_MESSAGE_MAX_BYTES = 1024 * 1024

/** Frames one message. */
export function encodeNativeMessage(json: string): Buffer {
  const body = Buffer.from(json, "utf8")
  const header = Buffer.alloc(4)
  header.writeUInt32LE(body.length)
  return Buffer.concat([header, body])
}

/** Reads frames from a byte stream; throws RangeError on a frame over the limit. */
export class NativeMessageReader {
  private buffer: Buffer = Buffer.alloc(0)

  constructor(private readonly maxBytes: number = NATIVE_MESSAGE_MAX_BYTES) {}

  push(chunk: Buffer): string[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const messages: string[] = []
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32LE(0)
      if (length > this.maxBytes) throw new RangeError(`native message of ${length} bytes is over the limit`)
      if (this.buffer.length < 4 + length) break
      messages.push(this.buffer.subarray(4, 4 + length).toString("utf8"))
      this.buffer = this.buffer.subarray(4 + length)
    }
    return messages
  }
}
