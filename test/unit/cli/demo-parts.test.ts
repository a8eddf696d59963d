import { existsSync } from "node:fs"
import { Writable } from "node:stream"
import { describe, expect, it, vi } from "vitest"
import { ArrivalTracker } from "../../../src/cli/demo/arrival-tracker.js"
import { CleanupStack } from "../../../src/cli/demo/cleanup-stack.js"
import { describeEntry } from "../../../src/cli/demo/demo-conflict.js"
import { childEnv, LANVAULT_BIN } from "../../../src/cli/demo/lanvault-process.js"
import { formatArgs, formatLatency, formatStamp, Narrator } from "../../../src/cli/demo/narrator.js"

function sink(): { stream: Writable; text: () => string } {
  let text = ""
  return {
    stream: new Writable({ write: (chunk, _encoding, callback) => ((text += String(chunk)), callback()) }),
    text: () => text,
  }
}

describe("demo arrival tracker", () => {
  it("answers at once for a change that arrived before the question (the event raced the call's answer)", async () => {
    let now = 100
    const tracker = new ArrivalTracker(() => now)
    tracker.record({ id: "r1", origin: "remote" })
    now = 150
    await expect(tracker.arrival("r1", "remote", 90, 1000)).resolves.toBe(100)
  })

  it("waits for a later change, ignoring other records, other origins and earlier changes", async () => {
    let now = 0
    const tracker = new ArrivalTracker(() => now)
    tracker.record({ id: "r1", origin: "remote" })
    now = 10
    const arrival = tracker.arrival("r1", "remote", 5, 1000)
    tracker.record({ id: "r2", origin: "remote" })
    tracker.record({ id: "r1", origin: "local" })
    now = 42
    tracker.record({ id: "r1", origin: "remote" })
    await expect(arrival).resolves.toBe(42)
  })

  it("fails with TIMEOUT when the change never comes", async () => {
    const tracker = new ArrivalTracker()
    await expect(tracker.arrival("missing", "remote", 0, 20)).rejects.toMatchObject({ code: "TIMEOUT" })
  })
})

describe("demo cleanup stack", () => {
  it("runs steps last first, once, and goes on after a failing step", async () => {
    const order: string[] = []
    const stack = new CleanupStack()
    stack.add(() => void order.push("home"))
    stack.add(() => {
      throw new Error("stuck")
    })
    stack.add(async () => void order.push("daemon"))
    await Promise.all([stack.run(), stack.run()])
    await stack.run()
    expect(order).toEqual(["daemon", "home"])
    expect(stack.closed).toBe(true)
  })

  it("runs a step registered after cleanup started at once (a resource made by an interrupted step)", async () => {
    const stack = new CleanupStack()
    await stack.run()
    const late = vi.fn()
    stack.add(late)
    expect(late).toHaveBeenCalledOnce()
  })
})

describe("demo narration", () => {
  it("stamps lines with the time since the start, numbers steps and shows commands as typed", () => {
    let now = 1000
    const out = sink()
    const narrator = new Narrator(out.stream, () => now)
    narrator.say("intro")
    now = 1420
    narrator.step("alpha creates the account")
    narrator.command("alpha", ["init", "--name", "alpha"], "password from LANVAULT_PASSWORD")
    now = 2000
    narrator.detail("unlocked")
    narrator.step("next")
    expect(out.text()).toBe(
      [
        "intro",
        "",
        "[ 0.4s] 1. alpha creates the account",
        "[ 0.4s]    alpha $ lanvault init --name alpha   # password from LANVAULT_PASSWORD",
        "[ 1.0s]      unlocked",
        "",
        "[ 1.0s] 2. next",
        "",
      ].join("\n"),
    )
  })

  it("prints nothing once silenced", () => {
    const out = sink()
    const narrator = new Narrator(out.stream)
    narrator.silence()
    narrator.step("after Ctrl-C")
    expect(out.text()).toBe("")
  })

  it("formats latencies, stamps and shell words", () => {
    expect(formatLatency(3.4)).toBe("3 ms")
    expect(formatLatency(999.4)).toBe("999 ms")
    expect(formatLatency(1250)).toBe("1.3 s")
    expect(formatStamp(12_345)).toBe("[12.3s]")
    expect(formatArgs(["add", "--title", "My Mail", "--field", "username=ann@example.com", "it's"])).toBe(
      `lanvault add --title 'My Mail' --field username=ann@example.com 'it'\\''s'`,
    )
  })

  it("says why a value is in the history", () => {
    const entry = { field: "password", value: "x", kind: "secret" as const, changedAt: 0 }
    expect(describeEntry({ ...entry, reason: "conflict" })).toMatch(/conflict/)
    expect(describeEntry({ ...entry, reason: "edited" })).toMatch(/edited/)
  })
})

describe("demo child processes", () => {
  it("run the package's bin", () => {
    expect(LANVAULT_BIN).toMatch(/bin[/\\]lanvault\.js$/)
    expect(existsSync(LANVAULT_BIN)).toBe(true)
  })

  it("do not inherit the person's LANVAULT_* settings (their socket, home or password)", () => {
    const env = childEnv({ LANVAULT_PASSWORD: "generated" }, { PATH: "/bin", LANVAULT_SOCKET: "/run/me.sock", LANVAULT_HOME: "/home/me/vault", LANVAULT_PASSWORD: "mine" })
    expect(env).toEqual({ PATH: "/bin", LANVAULT_PASSWORD: "generated" })
  })
})
