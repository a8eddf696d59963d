import { StringDecoder } from "node:string_decoder"

/**
 * Reads stdin one line at a time, on demand, so every read of one invocation
 * (current password, new password, secret fields…) takes the next line in order.
 * The stream is paused between reads: unread input never keeps the process alive.
 */
export class StdinLines {
  private buffer = ""
  private ended = false
  private readonly decoder = new StringDecoder("utf8")

  constructor(private readonly stream: NodeJS.ReadableStream) {}

  /** The next line without its line ending, or undefined once stdin is exhausted. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const newline = this.buffer.indexOf("\n")
      if (newline >= 0) {
        const line = this.buffer.slice(0, newline)
        this.buffer = this.buffer.slice(newline + 1)
        return stripCarriageReturn(line)
      }
      if (this.ended) {
        const rest = this.buffer
        this.buffer = ""
        return rest === "" ? undefined : stripCarriageReturn(rest)
      }
      await this.fill()
    }
  }

  /** Waits for one chunk (or the end) of the stream, then pauses it again. */
  private fill(): Promise<void> {
    const stream = this.stream
    if ((stream as { readableEnded?: boolean }).readableEnded === true) {
      this.ended = true
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const onData = (chunk: Buffer | string) => {
        this.buffer += typeof chunk === "string" ? chunk : this.decoder.write(chunk)
        done()
      }
      const onEnd = () => {
        this.buffer += this.decoder.end()
        this.ended = true
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
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line
}
