import { createConnection, createServer, type Server } from "node:net"
import { describe, expect, it, onTestFinished } from "vitest"
import { waitFor } from "./helpers/cli.js"
import { Device, PASSWORD } from "./helpers/devices.js"
import { codeOfAsync } from "../helpers/error-code.js"
import { startFirstDevice } from "../helpers/device-start.js"

const NEW_PASSWORD = "a different pass phrase"

/** A TCP relay that records every byte both ways: what a sniffer on the LAN would see. */
async function tap(targetPort: number): Promise<{ port: number; bytes: () => Buffer }> {
  const chunks: Buffer[] = []
  const server: Server = createServer((inbound) => {
    const outbound = createConnection(targetPort, "127.0.0.1")
    inbound.on("data", (d) => { chunks.push(d); outbound.write(d) })
    outbound.on("data", (d) => { chunks.push(d); inbound.write(d) })
    inbound.on("close", () => outbound.destroy())
    outbound.on("close", () => inbound.destroy())
    inbound.on("error", () => outbound.destroy())
    outbound.on("error", () => inbound.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  onTestFinished(() => void server.close())
  const address = server.address()
  return { port: typeof address === "object" && address ? address.port : 0, bytes: () => Buffer.concat(chunks) }
}

async function pairedPair(): Promise<[Device, Device]> {
  const a = await startFirstDevice("alpha")
  const b = await Device.create("beta")
  const { joinCode, hostCode, joinResult } = await b.joinThrough(a)
  expect(joinResult.code).toBe(0)
  expect(joinCode).toMatch(/^\d{6}$/)
  expect(hostCode).toBe(joinCode)
  await b.start()
  await b.unlock()
  return [a, b]
}

describe("two devices paired by the account key, over real daemons on loopback", () => {
  it("pairs, syncs both ways while connected, and lists both devices", async () => {
    const [a, b] = await pairedPair()
    const { id } = await a.client!.call("records.create", { record: { type: "login", title: "Mail", fields: { password: { value: "pw-from-a", kind: "secret" } } } })
    await waitFor(async () => (await b.titles()).includes("Mail"), "A's record on B")
    await b.client!.call("records.update", { id, set: { fields: { username: { value: "ann", kind: "text" } } } })
    await waitFor(async () => (await a.client!.call("records.get", { id })).fields.username?.value === "ann", "B's edit on A")
    const devices = await b.client!.call("devices.list", {})
    expect(devices.map((d) => d.name).sort()).toEqual(["alpha", "beta"])
    expect(devices.find((d) => d.name === "alpha")?.state).toBe("connected")
  })

  it("refuses a wrong account key at the handshake and adds no trust entry", async () => {
    const a = await startFirstDevice("alpha")
    const intruder = await Device.create("intruder")
    const wrongKey = "LV1-0000-0000-0000-0000-0000-0000-0000"
    const { joinResult } = await intruder.joinThrough(a, wrongKey).catch(() => ({ joinResult: { code: -1, stderr: "", stdout: "" } }))
    expect(joinResult.code).toBe(1)
    expect((await a.client!.call("devices.list", {})).length).toBe(1)
  })

  it("refuses to pair while the pairing window is closed", async () => {
    const a = await Device.create("alpha")
    const b = await Device.create("beta")
    await a.init()
    await a.start()
    const result = await b.cli(["join", "--peer", `127.0.0.1:${a.port}`, "--account-key-stdin"], {}, `${a.accountKey}\n`)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/pairing window closed/)
  })

  it("converges after both sides edited the same password offline, keeping the loser in history", async () => {
    const [a, b] = await pairedPair()
    const { id } = await a.client!.call("records.create", { record: { type: "login", title: "Bank", fields: { password: { value: "original", kind: "secret" } } } })
    await waitFor(async () => (await b.titles()).includes("Bank"), "Bank on B")
    await a.stop()
    await b.client!.call("records.update", { id, set: { fields: { password: { value: "from-beta", kind: "secret" } } } })
    await b.stop()
    await a.start()
    await a.unlock()
    await a.client!.call("records.update", { id, set: { fields: { password: { value: "from-alpha", kind: "secret" } } } })
    await b.start()
    await b.unlock()
    const settled = async (d: Device) => {
      const history = await d.client!.call("records.history", { id })
      const values = history.filter((h) => h.field === "password").map((h) => h.value)
      return values.includes("original") && (values.includes("from-alpha") || values.includes("from-beta"))
    }
    await waitFor(() => settled(a), "A merged")
    await waitFor(() => settled(b), "B merged")
    const onA = await a.client!.call("records.get", { id })
    const onB = await b.client!.call("records.get", { id })
    expect(onA.fields.password.value).toBe(onB.fields.password.value)
    const loser = onA.fields.password.value === "from-alpha" ? "from-beta" : "from-alpha"
    expect((await b.client!.call("records.history", { id })).map((h) => h.value)).toContain(loser)
  }, 60_000)

  it("carries a password change to the other device", async () => {
    const [a, b] = await pairedPair()
    const { keysetVersion } = await a.client!.call("account.changePassword", { old: PASSWORD, new: NEW_PASSWORD })
    await waitFor(async () => (await b.client!.call("status", {})).keysetVersion === keysetVersion, "the new keyset on B")
    await b.client!.call("lock", {})
    expect(await codeOfAsync(b.unlock(PASSWORD))).toBe("WRONG_PASSWORD")
    await b.unlock(NEW_PASSWORD)
    expect(await b.titles()).toEqual([])
  })

  it("sends nothing readable over the wire", async () => {
    const a = await startFirstDevice("alpha")
    const b = await Device.create("beta")
    await a.client!.call("records.create", { record: { type: "login", title: "VeryVisibleTitle", fields: { username: { value: "visible-user", kind: "text" }, password: { value: "Visible-Password-123", kind: "secret" } } } })
    const relay = await tap(a.port)
    const joined = await b.joinThrough(a)
    expect(joined.joinResult.code).toBe(0)
    await b.start(["--peer", `127.0.0.1:${relay.port}`])
    await b.unlock()
    await waitFor(async () => (await b.titles()).includes("VeryVisibleTitle"), "the record on B")
    const wire = relay.bytes()
    expect(wire.length).toBeGreaterThan(500)
    for (const secret of ["VeryVisibleTitle", "visible-user", "Visible-Password-123", PASSWORD]) {
      expect(wire.includes(Buffer.from(secret))).toBe(false)
    }
  })
})
