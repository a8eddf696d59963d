import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { waitFor } from "./helpers/cli.js"
import { PASSWORD, type Device } from "./helpers/devices.js"
import { startLine } from "../helpers/device-start.js"

const NEW_PASSWORD = "a brand new password after the reset"

/**
 * A and B paired; while A is off, B makes records only it holds (one edited, so
 * it has history); then A resets the account. Returns the new account key.
 */
async function resetWhileBHoldsRecords(): Promise<{ a: Device; b: Device; newKey: string }> {
  const [a, b] = await startLine(["alpha", "beta"])
  await a.client!.call("records.create", { record: { type: "note", title: "shared before" } })
  await waitFor(async () => (await b.titles()).includes("shared before"), "A's record on B")
  await a.stop()
  const { id } = await b.client!.call("records.create", {
    record: { type: "login", title: "only on B", fields: { username: { value: "bee", kind: "text" }, password: { value: "first secret", kind: "secret" } } },
  })
  await b.client!.call("records.update", { id, set: { fields: { password: { value: "second secret", kind: "secret" } } } })
  const trashed = await b.client!.call("records.create", { record: { type: "note", title: "trashed on B" } })
  await b.client!.call("records.delete", { id: trashed.id })
  await b.stop()
  await a.start()
  const reset = await a.cli(["reset", "--yes"], { LANVAULT_NEW_PASSWORD: NEW_PASSWORD })
  expect(reset.code, reset.stderr).toBe(0)
  const newKey = reset.stdout.match(/LV1(-[0-9A-Z]{4}){7}/)?.[0]
  expect(newKey).toBeDefined()
  await a.unlock(NEW_PASSWORD)
  expect(await a.titles()).toEqual([])
  a.accountKey = newKey!
  return { a, b, newKey: newKey! }
}

/** B's record "only on B" as A sees it: the current password and the earlier one in its history. */
async function onlyOnBAsSeenBy(device: Device): Promise<{ password: string; history: string[] }> {
  const summary = (await device.client!.call("records.list", {})).find((r) => r.title === "only on B")!
  const record = await device.client!.call("records.get", { id: summary.id })
  const history = await device.client!.call("records.history", { id: summary.id })
  return { password: record.fields.password.value, history: history.filter((h) => h.field === "password").map((h) => h.value) }
}

function leftovers(home: string): string[] {
  return readdirSync(home).filter((name) => name.includes("before-join"))
}

describe("reset, then join again: nothing only one device held is lost (issue 11 item 2)", () => {
  it("with the old password, B's records come into the new account at its first unlock and sync to A", async () => {
    const { a, b, newKey } = await resetWhileBHoldsRecords()
    const joined = await b.joinThrough(a, newKey, { LANVAULT_OLD_PASSWORD: PASSWORD })
    expect(joined.joinResult.code, joined.joinResult.stderr).toBe(0)
    const result = JSON.parse(joined.joinResult.stdout)
    expect(result.former).toMatchObject({ sameAccount: true, pending: true })
    expect(leftovers(b.home)).toEqual([])
    await b.start()
    await b.unlock(NEW_PASSWORD)
    await waitFor(async () => (await b.titles()).includes("only on B"), "B's former records in its new vault")
    await waitFor(async () => (await a.titles()).includes("only on B"), "B's former records on A", 30_000)
    expect(await a.titles()).toEqual(["only on B", "shared before"])
    expect(await onlyOnBAsSeenBy(a)).toEqual({ password: "second secret", history: ["first secret"] })
    expect((await a.client!.call("records.list", { trash: true })).map((r) => r.title)).toEqual(["trashed on B"])
    // The kept vault is gone once its records are in; a restart does not bring them in twice.
    await waitFor(() => !existsSync(result.former.path), "the former vault's file to be removed")
    await b.stop()
    await b.start()
    await b.unlock(NEW_PASSWORD)
    await new Promise((r) => setTimeout(r, 500))
    expect(await b.titles()).toEqual(["only on B", "shared before"])
  }, 150_000)

  it("without the old password, the old vault is an encrypted backup and the printed command brings it in", async () => {
    const { a, b, newKey } = await resetWhileBHoldsRecords()
    const joined = await b.joinThrough(a, newKey)
    expect(joined.joinResult.code, joined.joinResult.stderr).toBe(0)
    const { former } = JSON.parse(joined.joinResult.stdout)
    expect(former).toMatchObject({ sameAccount: true, pending: false })
    expect(former.path.startsWith(join(b.home, "backups"))).toBe(true)
    expect(former.command).toBe(`lanvault backup restore ${former.path}`)
    expect(leftovers(b.home)).toEqual([])
    await b.start()
    await b.unlock(NEW_PASSWORD)
    await new Promise((r) => setTimeout(r, 500))
    expect(await b.titles()).toEqual([])
    const args = former.command.split(" ").slice(1)
    // The backup needs the old password: the new one is refused and changes nothing.
    const wrong = await b.cli(args, { LANVAULT_PASSWORD: NEW_PASSWORD })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/password/i)
    expect(existsSync(former.path)).toBe(true)
    const restored = await b.cli([...args, "--json"], { LANVAULT_PASSWORD: PASSWORD })
    expect(restored.code, restored.stderr).toBe(0)
    expect(JSON.parse(restored.stdout).broughtIn).toMatchObject({ records: 3, identical: 0 })
    await waitFor(async () => (await a.titles()).includes("only on B"), "B's former records on A", 30_000)
    expect(await onlyOnBAsSeenBy(a)).toEqual({ password: "second secret", history: ["first secret"] })
    expect(existsSync(former.path)).toBe(false)
    // Its records are in: the file is gone, so running the command again brings nothing twice.
    expect((await b.cli(args, { LANVAULT_PASSWORD: PASSWORD })).code).toBe(1)
    expect(await a.titles()).toEqual(["only on B", "shared before"])
  }, 150_000)
})
