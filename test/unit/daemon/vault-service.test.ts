import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { writeFreshAccount } from "../../../src/account/account.js"
import type { EventParams } from "../../../src/api/protocol.js"
import { VaultService } from "../../../src/daemon/vault-service.js"
import { LanvaultError } from "../../../src/errors.js"
import { silentLogger } from "../../../src/log.js"
import { MemoryStore } from "../../../src/store/memory-store.js"

const PASSWORD = "correct horse battery"

async function codeOf(work: () => unknown): Promise<string | undefined> {
  try {
    await work()
  } catch (error) {
    return error instanceof LanvaultError ? error.code : "untyped"
  }
  return undefined
}

describe("VaultService over the in-memory store", () => {
  let home: string
  let store: MemoryStore
  let events: EventParams[]
  let vault: VaultService

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), "lv-vault-"))
    store = new MemoryStore()
    await writeFreshAccount(store, home, { accountId: "ab".repeat(16), deviceName: "unit", password: PASSWORD })
    events = []
    vault = new VaultService({ store, home, logger: silentLogger(), publish: (e) => events.push(e) }, { autoLockMinutes: 1 })
  })

  afterEach(() => {
    vi.useRealTimers()
    rmSync(home, { recursive: true, force: true })
  })

  it("refuses record calls while locked with LOCKED", async () => {
    expect(await codeOf(() => vault.list({}))).toBe("LOCKED")
    expect(await codeOf(() => vault.create({ type: "note", title: "x" }))).toBe("LOCKED")
  })

  it("reads back the same records from the snapshot written at lock and from the log alone", async () => {
    await vault.unlock(PASSWORD)
    const ids = [vault.create({ type: "note", title: "one" }), vault.create({ type: "login", title: "two" })]
    vault.update(ids[1], { set: { fields: { username: { value: "ann", kind: "text" } } } })
    vault.lock("request")
    expect(store.snapshots().length).toBe(64)
    await vault.unlock(PASSWORD)
    const fromSnapshot = ids.map((id) => vault.get(id))
    vault.lock("request")
    store.clearSnapshots()
    await vault.unlock(PASSWORD)
    expect(ids.map((id) => vault.get(id))).toEqual(fromSnapshot)
    expect(fromSnapshot[1].fields.username.value).toBe("ann")
  })

  it("locks itself after the idle time and says so", async () => {
    await vault.unlock(PASSWORD)
    vi.useFakeTimers()
    vault.touch()
    vi.advanceTimersByTime(59_000)
    expect(vault.locked).toBe(false)
    vi.advanceTimersByTime(2_000)
    expect(vault.locked).toBe(true)
    expect(events).toContainEqual({ type: "locked", reason: "idle" })
  })

  it("acknowledges nothing the disk refused, and keeps every earlier record", async () => {
    await vault.unlock(PASSWORD)
    const kept = vault.create({ type: "note", title: "kept" })
    const append = store.appendOwn.bind(store)
    store.appendOwn = () => {
      throw new LanvaultError("STORAGE_FULL", "disk full")
    }
    expect(await codeOf(() => vault.create({ type: "note", title: "refused" }))).toBe("STORAGE_FULL")
    expect(vault.list({}).map((r) => r.title)).toEqual(["kept"])
    store.appendOwn = append
    vault.create({ type: "note", title: "after" })
    vault.lock("request")
    await vault.unlock(PASSWORD)
    expect(vault.list({}).map((r) => r.title)).toEqual(["after", "kept"])
    expect(vault.get(kept).title).toBe("kept")
  })

  it("changes the password without touching a record", async () => {
    await vault.unlock(PASSWORD)
    vault.create({ type: "note", title: "stays" })
    const entries = store.countEntries()
    await vault.changePassword(PASSWORD, "another long password")
    expect(store.countEntries()).toBe(entries)
    vault.lock("request")
    expect(await codeOf(() => vault.unlock(PASSWORD))).toBe("WRONG_PASSWORD")
    await vault.unlock("another long password")
    expect(vault.list({}).map((r) => r.title)).toEqual(["stays"])
  })
})
