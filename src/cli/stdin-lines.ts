import { LineReader } from "../api/line-reader.js"

/**
 * Reads stdin one line at a time, on demand, so every read of one invocation
 * (current password, new password, secret fields…) takes the next line in order.
 * The stream is paused between reads: unread input never keeps the process alive.
 * Lines are split by the socket's LineReader (on `\n`, a trailing `\r` dropped), unbounded here.
 */
export class StdinLines {
  private readonly lines: string[] = []
  private readonly reader = new LineReader({ maxLineBytes: Number.POSITIVE_INFINITY })
  private ended = false

  constructor(private readonly stream: NodeJS.ReadableStream) {}

  /** The next line without its line ending, or undefined once stdin is exhausted. */
  async next(): Promise<string | undefined> {
    while (this.lines.length === 0 && !this.ended) await this.fill()
    return this.lines.shift()
  }

  /** Waits for one chunk (or the end) of the stream, then pauses it again. */
  private fill(): Promise<void> {
    const stream = this.stream
    if ((stream as { readableEnded?: boolean }).readableEnded === true) return Promise.resolve(this.end())
    return new Promise((resolve) => {
      const onData = (chunk: Buffer | string) => {
        this.lines.push(...this.reader.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk).lines)
        done()
      }
      const onEnd = () => {
        this.end()
        done()
      }
      const done = () => {
        stream.off("data", onData)
        stream.off("end", onEnd)
        stream.off("error", onEnd)
        stream.pause()
        resolve()
      }
      stream.on("data", onData)
      stream.on("end", onEnd)
      // A broken stdin reads as an exhausted one: the caller then says what is missing.
      stream.on("error", onEnd)
      stream.resume()
    })
  }

  private end(): void {
    if (!this.ended) this.lines.push(...this.reader.end())
    this.ended = true
  }
}
