import { rmSync } from "node:fs"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import type { EventParams } from "../../../src/api/protocol.js"
import { LanvaultError } from "../../../src/errors.js"
import { VaultDoc } from "../../../src/merge/vault-doc.js"
import type { LogEntry } from "../../../src/store/index.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { VaultService } from "../../../src/vault/vault-service.js"
import { codeOfAsync as codeOf } from "../../helpers/error-code.js"
import { freshUnitVault, UNIT_PASSWORD } from "../../helpers/unit-vault.js"

const PASSWORD = UNIT_PASSWORD

describe("VaultChanges: the sinks wired in at start", () => {
  let home: string
  let store: MemoryStore
  let events: EventParams[]
  let vault: VaultService

  beforeEach(async () => {
    ;({ home, store, events, vault } = await freshUnitVault("lv-changes-"))
    await vault.unlock(PASSWORD)
  })

  afterEach(() => {
    vault.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it("hands each sink, in order, the entries of a commit once they are durable and announced", async () => {
    const deviceId = vault.identity().deviceId
    const seen: string[] = []
    const sink = (name: string) => ({
      publishLocal: (entries: LogEntry[]) => {
        // Durable first: the store holds them, and record.changed went out, before any sink hears of them.
        expect(store.head(deviceId)).toBe(entries.at(-1)!.seq)
        expect(events.some((e) => e.type === "record.changed")).toBe(true)
        seen.push(`${name}:${entries.map((e) => e.seq).join(",")}`)
      },
    })
    vault.changes.addSink(sink("peers"))
    const removeFolders = vault.changes.addSink(sink("folders"))
    const id = await vault.changes.create({ type: "note", title: "one" })
    const head = store.head(deviceId)
    expect(seen).toEqual([`peers:${head}`, `folders:${head}`])
    removeFolders()
    await Promise.all([vault.changes.update(id, { set: { title: "two" } }), vault.changes.update(id, { set: { title: "three" } })])
    // One group commit for both edits: one call, with both entries.
    expect(seen.slice(2)).toEqual([`peers:${head + 1},${head + 2}`])
  })

  it("answers an edit with its record read after the sinks have its entry (off the peers' path), as its batch left it", async () => {
    const id = await vault.changes.create({ type: "note", title: "one" })
    const get = vi.spyOn(VaultDoc.prototype, "get")
    const readsBeforeSinks: number[] = []
    vault.changes.addSink({ publishLocal: () => void readsBeforeSinks.push(get.mock.calls.length) })
    const [first, second] = await Promise.all([vault.changes.update(id, { set: { title: "two" } }), vault.changes.update(id, { set: { title: "three" } })])
    expect(readsBeforeSinks).toEqual([0])
    expect([first.title, second.title]).toEqual(["three", "three"])
    get.mockRestore()
  })

  it("gives no sink anything for an edit refused by the doc or by the disk", async () => {
    const published: LogEntry[] = []
    vault.changes.addSink({ publishLocal: (entries) => void published.push(...entries) })
    expect(await codeOf(() => vault.changes.update("00000000-0000-4000-8000-000000000000", { set: { title: "x" } }))).toBe("NOT_FOUND")
    const id = await vault.changes.create({ type: "note", title: "one" })
    published.length = 0
    store.appendOwn = () => {
      throw new LanvaultError("STORAGE_FULL", "disk full")
    }
    expect(await codeOf(() => vault.changes.update(id, { set: { title: "two" } }))).toBe("STORAGE_FULL")
    expect(published).toEqual([])
  })
})
