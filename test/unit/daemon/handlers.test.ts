import { describe, expect, it } from "vitest"
import { markStanding } from "../../../src/account/index.js"
import type { FormerVaultMerger, QuickUnlockFlow } from "../../../src/app/index.js"
import { ASSOCIATION_TYPE } from "../../../src/browser/index.js"
import type { BackupService } from "../../../src/backup/index.js"
import { generateDeviceKeys, randomBytes, toHex } from "../../../src/crypto/index.js"
import { createHandlers, type Handlers } from "../../../src/daemon/handlers.js"
import type { SyncStack } from "../../../src/daemon/sync-stack.js"
import { LockedError } from "../../../src/errors.js"
import type { RecordSummary, VaultRecord } from "../../../src/merge/types.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import type { VaultService } from "../../../src/vault/index.js"
import { codeOfAsync } from "../../helpers/error-code.js"

const RECORD: VaultRecord = {
  id: "ab".repeat(16), type: "login", title: "Mail", fields: { password: { value: "pw", kind: "secret" } }, notes: "", tags: [],
  favorite: false, trashed: false, createdAt: 1, updatedAt: 2,
}
const summary = (type: string): RecordSummary => ({ ...RECORD, type, fields: {} }) as unknown as RecordSummary

/** The vault session and the sync stack as the handlers see them, recording each call. */
function setUp(options: { locked?: boolean } = {}) {
  const calls: Array<[string, ...unknown[]]> = []
  const store = new MemoryStore()
  const keys = generateDeviceKeys()
  const deviceId = toHex(randomBytes(16))
  store.setIdentity({ deviceId, signSecret: keys.signSecret, dhSecret: keys.dhSecret })
  const vault = {
    locked: options.locked ?? false,
    accountId: "cd".repeat(16),
    deviceName: "desk",
    recordCount: 1,
    unreadableEntries: 0,
    autoLockMinutes: 15,
    identity: () => ({ deviceId }),
    lock: (reason: string) => void calls.push(["lock", reason]),
    settled: async () => void calls.push(["settled"]),
    // The list view hides the scope's types unless the filter asks for one by type (merge/list-view.ts).
    listed: (filter: { type?: string }, scope: { hiddenTypes?: ReadonlySet<string> }) => {
      calls.push(["listed", filter, [...(scope.hiddenTypes ?? [])]])
      return [summary("login"), summary(ASSOCIATION_TYPE)].filter((r) => filter.type === r.type || !scope.hiddenTypes?.has(r.type))
    },
    // The records' changes: the handlers call VaultChanges directly.
    changes: {
      update: (id: string, patch: unknown) => {
        if (vault.locked) throw new LockedError()
        calls.push(["update", id, patch])
        return RECORD
      },
      create: async (record: unknown) => {
        calls.push(["create", record])
        return RECORD.id
      },
    },
  }
  const sync = {
    pairing: { open: (seconds?: number) => (calls.push(["pairing.open", seconds]), 99), close: () => void calls.push(["pairing.close"]) },
    network: { removePeer: () => false, addPeer: (address: string) => address, status: () => [] },
    sharing: { share: () => void calls.push(["share"]) },
  }
  const handlers = createHandlers({
    vault: vault as unknown as VaultService,
    store,
    sync: () => sync as unknown as SyncStack,
    backups: () => ({}) as BackupService,
    publish: () => undefined,
    afterReset: async () => {},
    quickUnlock: { state: () => ({ available: false }) } as unknown as QuickUnlockFlow,
    former: {} as FormerVaultMerger,
    status: () => ({ peers: [], pairingUntil: undefined }) as never,
  })
  return { handlers, calls, store, vault }
}

/** Calls a method the way the dispatcher does: with the params as they came off the socket. */
const call = (handlers: Handlers, method: string, params: unknown) => Promise.resolve().then(() => (handlers as Record<string, (p: unknown) => unknown>)[method](params))

describe("createHandlers", () => {
  it("records.update checks its params and makes one call to the vault with the patch", async () => {
    const { handlers, calls } = setUp()
    await expect(call(handlers, "records.update", { id: RECORD.id, set: { title: "M" }, unset: ["old"] })).resolves.toEqual(RECORD)
    expect(calls).toEqual([["update", RECORD.id, { set: { title: "M" }, unset: ["old"] }]])
    expect(await codeOfAsync(call(handlers, "records.update", { id: RECORD.id, set: [] }))).toBe("INVALID_PARAMS")
    expect(await codeOfAsync(call(handlers, "records.update", { id: RECORD.id, unset: "old" }))).toBe("INVALID_PARAMS")
    expect(await codeOfAsync(call(handlers, "records.update", { set: {} }))).toBe("INVALID_PARAMS")
    expect(calls).toHaveLength(1)
  })

  it("records.list asks the list view to hide browser associations (shown only when asked for by type)", async () => {
    const { handlers, calls } = setUp()
    expect((await call(handlers, "records.list", {}) as RecordSummary[]).map((r) => r.type)).toEqual(["login"])
    expect((await call(handlers, "records.list", { type: ASSOCIATION_TYPE }) as RecordSummary[]).map((r) => r.type)).toEqual(["login", ASSOCIATION_TYPE])
    expect(calls.map(([name, , hidden]) => [name, hidden])).toEqual([["listed", [ASSOCIATION_TYPE]], ["listed", [ASSOCIATION_TYPE]]])
  })

  it("a revoked device refuses every write (REVOKED) and still answers reads", async () => {
    const { handlers, calls, store } = setUp()
    markStanding(store, "revoked", "ef".repeat(16))
    for (const [method, params] of [
      ["records.update", { id: RECORD.id, set: {} }], ["records.create", { record: { type: "note", title: "n" } }], ["pairing.open", {}],
    ] as const) {
      expect(await codeOfAsync(call(handlers, method, params))).toBe("REVOKED")
    }
    expect(calls).toEqual([])
    expect(await call(handlers, "records.list", {})).toHaveLength(1)
    expect(calls.map(([name]) => name)).toEqual(["listed"])
    expect(await call(handlers, "status", {})).toMatchObject({ standing: { state: "revoked" }, locked: false, records: 1, deviceName: "desk" })
  })

  it("pairing.open needs an unlocked vault and a number of seconds", async () => {
    const locked = setUp({ locked: true })
    expect(await codeOfAsync(call(locked.handlers, "pairing.open", { seconds: 60 }))).toBe("LOCKED")
    const { handlers, calls } = setUp()
    expect(await codeOfAsync(call(handlers, "pairing.open", { seconds: "60" }))).toBe("INVALID_PARAMS")
    expect(await call(handlers, "pairing.open", { seconds: 60 })).toEqual({ until: 99 })
    expect(calls).toEqual([["pairing.open", 60]])
  })

  it("peers: add shares the address with the other devices; removing an unknown one is NOT_FOUND", async () => {
    const { handlers, calls } = setUp()
    expect(await call(handlers, "peers.add", { address: "10.0.0.2:47110" })).toEqual({ address: "10.0.0.2:47110" })
    expect(calls).toEqual([["share"]])
    expect(await codeOfAsync(call(handlers, "peers.remove", { address: "10.0.0.9:1" }))).toBe("NOT_FOUND")
  })

  it("lock locks for the request; a method given no params is INVALID_PARAMS, not a crash", async () => {
    const { handlers, calls } = setUp()
    expect(await call(handlers, "lock", {})).toEqual({ locked: true })
    // Answered once the lock's snapshot is on disk.
    expect(calls).toEqual([["lock", "request"], ["settled"]])
    expect(await codeOfAsync(call(handlers, "records.get", undefined))).toBe("INVALID_PARAMS")
  })
})
