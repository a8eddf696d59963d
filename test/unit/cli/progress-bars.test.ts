import { PassThrough } from "node:stream"
import { describe, expect, it } from "vitest"
import type { EventParams } from "../../../src/api/protocol.js"
import { withProgressBar } from "../../../src/cli/progress-bars.js"

/** A client whose subscription the test drives, and a terminal-like stream that keeps what was drawn. */
function setUp(isTTY: boolean) {
  const subscribed: string[][] = []
  let listener: ((event: EventParams) => void) | undefined
  const client = {
    subscribe: async (events: string[], on: (event: EventParams) => void) => {
      subscribed.push(events)
      listener = on
      return { subscribed: events }
    },
  }
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 80 })
  let drawn = ""
  stream.on("data", (chunk: Buffer) => (drawn += chunk.toString()))
  return { client: client as never, stream, subscribed, emit: (event: EventParams) => listener?.(event), drawn: () => drawn }
}

/** cli-progress draws on a timer (10 a second): long enough for one. */
const redraw = () => new Promise((resolve) => setTimeout(resolve, 250))

describe("withProgressBar", () => {
  it("draws a bar from the progress events of its own work only, and returns the call's result", async () => {
    const { client, stream, subscribed, emit, drawn } = setUp(true)
    const result = await withProgressBar(client, stream, false, "backup", async () => {
      emit({ type: "work.progress", work: "export", done: 7, total: 99 })
      emit({ type: "work.progress", work: "backup", done: 300, total: 6000 })
      await redraw()
      return "written"
    })
    expect(result).toBe("written")
    expect(subscribed).toEqual([["work.progress"]])
    expect(drawn()).toContain("backing up")
    expect(drawn()).toContain("300/6000")
    expect(drawn()).not.toContain("/99")
  })

  it("follows import.progress for an import, and draws nothing with --json or off a terminal", async () => {
    const tty = setUp(true)
    await withProgressBar(tty.client, tty.stream, false, "import", async () => {
      tty.emit({ type: "import.progress", done: 5, total: 10 })
      await redraw()
    })
    expect(tty.subscribed).toEqual([["import.progress"]])
    expect(tty.drawn()).toContain("importing")
    for (const [isTTY, json] of [[true, true], [false, false]] as const) {
      const quiet = setUp(isTTY)
      expect(await withProgressBar(quiet.client, quiet.stream, json, "unlock", async () => 42)).toBe(42)
      expect(quiet.subscribed).toEqual([])
      expect(quiet.drawn()).toBe("")
    }
  })
})
