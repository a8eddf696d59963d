import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { META, readAccountContext, writeFreshAccount } from "../../../src/account/index.js"
import { KeyManager } from "../../../src/vault/key-manager.js"
import { QuickUnlockFlow } from "../../../src/app/quick-unlock-flow.js"
import { VaultService } from "../../../src/vault/vault-service.js"
import { silentLogger } from "../../../src/log.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { MemoryKeeper } from "../helpers/memory-keeper.js"

const PASSWORD = "correct horse battery"

describe("QuickUnlockFlow over the in-memory store and keychain", () => {
  let home: string
  let store: MemoryStore
  let keeper: MemoryKeeper
  let vault: VaultService
  let flow: QuickUnlockFlow

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), "lv-flow-"))
    store = new MemoryStore()
    keeper = new MemoryKeeper()
    await writeFreshAccount(store, home, { accountId: "ab".repeat(16), deviceName: "unit", password: PASSWORD })
    vault = new VaultService({ store, account: readAccountContext(store), home, logger: silentLogger(), publish: () => undefined, onKeysetArrived: () => void flow.forgetIfStale() }, { autoLockMinutes: 0 })
    flow = new QuickUnlockFlow({ vault, home, logger: silentLogger(), keeper })
  })

  afterEach(() => rmSync(home, { recursive: true, force: true }))

  it("remembers after a password unlock and opens the vault without one", async () => {
    const first = await flow.unlock(PASSWORD, { uses: 3 })
    expect(first.remembered?.usesLeft).toBe(3)
    vault.lock("request")
    const quick = await flow.unlock(undefined, undefined)
    expect(quick.quick?.usesLeft).toBe(2)
    expect(vault.locked).toBe(false)
  }, 60_000)

  it("a password changed on another device forgets it as soon as that keyset arrives", async () => {
    await flow.unlock(PASSWORD, {})
    vault.lock("request")
    // The other device's change, as the replicator stores it: a new keyset under a new password (and salt).
    const elsewhere = new KeyManager({ store, home, logger: silentLogger(), accountId: readAccountContext(store).accountIdBytes })
    await elsewhere.changePassword(PASSWORD, "a different pass phrase")
    expect(existsSync(join(home, "quick-unlock.json"))).toBe(true)
    vault.refreshKeys()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(existsSync(join(home, "quick-unlock.json"))).toBe(false)
    expect(keeper.items.size).toBe(0)
    await expect(flow.unlock(undefined, undefined)).rejects.toMatchObject({ code: "QUICK_UNLOCK_UNAVAILABLE", data: { reason: "none" } })
  }, 60_000)

  it("a keychain that refuses never fails the password unlock: the result says why nothing was kept", async () => {
    keeper.locked = true
    const result = await flow.unlock(PASSWORD, {})
    expect(result.records).toBe(0)
    expect(result.remembered).toBeUndefined()
    expect(result.notRemembered).toMatch(/keychain/)
    expect(store.getMeta(META.throttle)).toBeUndefined()
  }, 60_000)
})
