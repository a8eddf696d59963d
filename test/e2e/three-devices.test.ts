import { describe, expect, it } from "vitest"
import { waitFor } from "./helpers/cli.js"
import { Device, PASSWORD } from "./helpers/devices.js"
import { joinAndStart, startFirstDevice, startLine } from "../helpers/device-start.js"

/** A–B–C in a line: C pairs through B and only ever dials B; A and C never connect. */
async function line(): Promise<[Device, Device, Device]> {
  const [a, b, c] = await startLine(["alpha", "beta", "gamma"])
  return [a, b, c]
}

describe("three devices in a line, over real daemons on loopback", () => {
  it("relays A's edits to C through B, also while B is locked", async () => {
    const [a, b, c] = await line()
    await a.client!.call("records.create", { record: { type: "note", title: "first" } })
    await waitFor(async () => (await c.titles()).includes("first"), "A's record on C")
    expect((await a.client!.call("status", {})).peers.map((p) => p.deviceId)).not.toContain((await c.client!.call("status", {})).deviceId)

    await b.client!.call("lock", {})
    await a.client!.call("records.create", { record: { type: "note", title: "while B is locked" } })
    await waitFor(async () => (await c.titles()).includes("while B is locked"), "A's record on C through locked B")
    await c.client!.call("records.create", { record: { type: "note", title: "from C" } })
    await waitFor(async () => (await a.titles()).includes("from C"), "C's record on A through locked B")
    await b.unlock()
    expect(await b.titles()).toEqual(["first", "from C", "while B is locked"])
  }, 90_000)

  it("revokes a device: it is refused, the others get the new account key and keep syncing", async () => {
    const [a, b, c] = await line()
    const cId = (await c.client!.call("status", {})).deviceId
    const { accountKey } = await b.client!.call("devices.revoke", { deviceId: cId })
    expect(accountKey).toMatch(/^LV1-/)
    expect(accountKey).not.toBe(a.accountKey)
    await waitFor(async () => (await c.client!.call("status", {})).peers.some((p) => /revoked/.test(p.state)), "C to be told it is revoked")
    await waitFor(async () => (await a.client!.call("devices.list", {})).find((d) => d.deviceId === cId)?.revoked, "the revocation on A")
    const afterRevoke = await a.client!.call("records.create", { record: { type: "note", title: "after revoke" } })
    await waitFor(async () => (await b.titles()).includes("after revoke"), "A's new record on B")
    await new Promise((r) => setTimeout(r, 500))
    expect(await c.titles()).not.toContain("after revoke")
    expect(afterRevoke.id).toBeTruthy()
    // A adopted the new account key: it unlocks again with the same password.
    await waitFor(async () => (await a.client!.call("status", {})).keysetVersion === (await b.client!.call("status", {})).keysetVersion, "the new keyset on A")
    await a.client!.call("lock", {})
    await a.unlock(PASSWORD)
    expect(await a.titles()).toContain("after revoke")
  }, 90_000)

  it("refuses the other devices after a reset, saying the account was reset", async () => {
    const [a, b] = await startLine(["alpha", "beta"])
    await waitFor(async () => (await b.client!.call("status", {})).peers.some((p) => p.state === "idle" || p.state === "syncing"), "B linked to A")
    await a.client!.call("account.reset", { password: "a brand new password" })
    await waitFor(async () => (await b.client!.call("status", {})).peers.some((p) => /account was reset/.test(p.state)), "B to be told the account was reset")
    const status = await runStatus(b)
    expect(status).toMatch(/account was reset/)
    // Issue 11 item 7: B knows it is out, refuses writes with ACCOUNT_RESET (exit 6) and says what to run next.
    await waitFor(async () => (await b.client!.call("status", {})).standing?.state === "account reset", "B's standing")
    await expect(b.client!.call("records.create", { record: { type: "note", title: "never synced" } })).rejects.toMatchObject({ code: "ACCOUNT_RESET" })
    const add = await b.cli(["add", "--type", "note", "--title", "never synced"])
    expect(add.code).toBe(6)
    expect(add.stderr).toMatch(/lanvault join/)
    expect(await runStatus(b)).toMatch(/ACCOUNT RESET/)
    expect(Array.isArray(await b.client!.call("records.list", {}))).toBe(true)
  }, 60_000)
})

describe("addresses added by hand", () => {
  it("are shared with the other devices, so they reach each other without multicast", async () => {
    // B and C both pair through A.
    const a = await startFirstDevice("alpha")
    const b = await joinAndStart(await Device.create("beta"), a)
    const c = await joinAndStart(await Device.create("gamma"), a)
    // Issue 11 item 13: only LAN addresses and sane host names are stored and shared.
    for (const bad of ["8.8.8.8:1", `${"h".repeat(5_000)}:47110`]) {
      const refused = await a.cli(["peer", "add", bad, "--json"])
      expect(refused.code, bad.slice(0, 20)).toBe(2)
    }
    expect((await a.client!.call("peers.list", {})).map((p) => p.address).filter((x) => x.startsWith("8.8.") || x.length > 300)).toEqual([])
    const added = await a.cli(["peer", "add", `127.0.0.1:${c.port}`, "--json"])
    expect(added.code).toBe(0)
    const cId = (await c.client!.call("status", {})).deviceId
    await waitFor(async () => (await b.client!.call("peers.list", {})).some((p) => p.how === "shared" && p.deviceId === cId && p.state === "connected"), "B to dial C at the shared address")
    expect((await b.client!.call("peers.list", {})).filter((p) => p.how === "shared").map((p) => p.address)).toEqual([`127.0.0.1:${c.port}`])
    await a.stop()
    await b.client!.call("records.create", { record: { type: "note", title: "B to C without A" } })
    await waitFor(async () => (await c.titles()).includes("B to C without A"), "B's record on C directly")
  }, 90_000)
})

async function runStatus(device: Device): Promise<string> {
  const result = await device.cli(["status"])
  return result.stdout + result.stderr
}
