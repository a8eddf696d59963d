import { describe, expect, it } from "vitest"
import { waitFor } from "./helpers/cli.js"
import type { Device } from "./helpers/devices.js"
import { startLine } from "../helpers/device-start.js"

/** The names `device` shows for every device of the account, by device id. */
async function names(device: Device): Promise<Record<string, string>> {
  const list = await device.client!.call("devices.list", {})
  return Object.fromEntries(list.map((d) => [d.deviceId, d.name]))
}

async function idOf(device: Device): Promise<string> {
  return (await device.client!.call("status", {})).deviceId
}

describe("device renames sync like any other change (issue 11 item 9)", () => {
  it("a rename made while C is off reaches C through B, the newest rename wins, and both survive a restart", async () => {
    // C pairs through B and only ever dials B.
    const [a, b, c] = await startLine(["alpha", "beta", "gamma"])
    const [aId, cId] = [await idOf(a), await idOf(c)]
    await waitFor(async () => (await names(c))[aId] === "alpha", "C to know A")
    await c.stop()

    // C is off: A renames itself and C, through the CLI.
    expect((await a.cli(["rename", aId.slice(0, 8), "study desktop"])).code).toBe(0)
    expect((await a.cli(["rename", cId.slice(0, 8), "kitchen laptop"])).code).toBe(0)
    await waitFor(async () => (await names(b))[cId] === "kitchen laptop" && (await names(b))[aId] === "study desktop", "the renames on B")
    // A goes away too: C can learn them only from B.
    await a.stop()
    await c.start()
    await c.unlock()
    await waitFor(async () => (await names(c))[aId] === "study desktop", "A's new name on C, relayed by B", 30_000)
    expect((await names(c))[cId]).toBe("kitchen laptop")
    expect((await c.client!.call("status", {})).deviceName).toBe("kitchen laptop")

    // A later rename on C wins over the older one on its way back to A.
    expect((await c.cli(["rename", aId.slice(0, 8), "office"])).code).toBe(0)
    await waitFor(async () => (await names(b))[aId] === "office", "C's rename on B")
    await a.start()
    await waitFor(async () => (await names(a))[aId] === "office", "C's later rename on A", 30_000)

    // Renames are stored: every device still shows them after a restart.
    for (const device of [a, b, c]) {
      await device.stop()
      await device.start()
      const shown = await names(device)
      expect([shown[aId], shown[cId]], device.name).toEqual(["office", "kitchen laptop"])
    }
  }, 150_000)
})
