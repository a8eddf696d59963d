import { setAutoLock } from "../app/auto-lock-setting.js"
import { listDevices, renameDevice } from "../app/device-list.js"
import { InvalidParamsError, LockedError, NotFoundError } from "../errors.js"
import type { EventParams, MethodName, ParamsOf, ResultOf, StatusResult } from "../api/protocol.js"
import { paced } from "../progress-pace.js"
import type { ListFilter, RecordInput, RecordPage, RecordPatch, RecordSummary } from "../merge/types.js"
import { ASSOCIATION_TYPE } from "../browser/index.js"
import { signRename } from "../store/index.js"
import { wipe } from "../crypto/index.js"
import { optionalBoolean, optionalString, requireObject, requireString } from "../api/params.js"
import { SummaryRows } from "../api/summary-rows.js"
import { assertInGoodStanding, readStanding, type KeysetShelf, type MetaTable, type StandingStore } from "../account/index.js"
import type { BackupService } from "../backup/index.js"
import type { SyncStack } from "./sync-stack.js"
import { fixMallocTrimThreshold, type VaultService } from "../vault/index.js"
import type { DeviceBook, FormerVaultMerger, QuickUnlockFlow, RememberLimits } from "../app/index.js"
import type { RecordReader } from "../app/index.js"
import type { DailyMethodName, DailyMethods } from "./daily-methods.js"

export type Handlers = { [M in MethodName]?: (params: ParamsOf<M>) => Promise<ResultOf<M>> | ResultOf<M> }

/** What the method table reads of the store and hands to the use cases of app/ (each declares its part). */
export type HandlerStore = StandingStore & DeviceBook & Pick<MetaTable, "setMeta"> & Pick<KeysetShelf, "getKeyset">

export interface HandlerDeps {
  vault: VaultService
  store: HandlerStore
  sync: () => SyncStack
  backups: () => BackupService
  afterReset: () => Promise<void>
  quickUnlock: QuickUnlockFlow
  former: FormerVaultMerger
  publish: (event: EventParams) => void
  status: () => Omit<StatusResult, "locked" | "records" | "unreadableEntries" | "keysetVersion" | "accountId" | "deviceId" | "deviceName" | "autoLockMinutes">
}

/** The method table of DESIGN §10 that one device can serve. */
export function createHandlers(deps: HandlerDeps): Handlers {
  return refuseWritesOutOfStanding(allHandlers(deps), () => assertInGoodStanding(deps.store))
}

/** Writes that would never reach the other devices of a revoked or reset device (issue 11 item 7). */
const WRITE_METHODS: readonly MethodName[] = [
  "records.create", "records.update", "records.delete", "import", "devices.rename", "devices.revoke", "pairing.open", "pairing.confirm", "account.changePassword",
]

/** Each write first checks this device still belongs to its account; reads (and export) stay open. */
function refuseWritesOutOfStanding(handlers: Handlers, check: () => void): Handlers {
  const guarded: Record<string, unknown> = { ...handlers }
  for (const method of WRITE_METHODS) {
    const handler = handlers[method] as ((params: unknown) => unknown) | undefined
    if (handler === undefined) continue
    guarded[method] = (params: unknown) => {
      check()
      return handler(params)
    }
  }
  return guarded as Handlers
}

function allHandlers({ vault, store, sync, backups, afterReset, quickUnlock, former, publish, status }: HandlerDeps): Handlers {
  return {
    status: () => ({
      ...status(),
      standing: readStanding(store),
      accountId: vault.accountId,
      deviceId: vault.deviceId,
      deviceName: vault.deviceName,
      locked: vault.locked,
      records: vault.recordCount,
      unreadableEntries: vault.unreadableEntries,
      keysetVersion: store.getKeyset()?.version,
      autoLockMinutes: vault.autoLockMinutes,
      quickUnlock: quickUnlock.state(),
    }),
    unlock: (params) => quickUnlock.unlock(optionalString(params, "password"), readRemember(params)),
    "quickUnlock.forget": async () => ({ forgotten: await quickUnlock.forget() }),
    "settings.autoLock": (params) => setAutoLock({ vault, store }, (params as { minutes?: unknown } | undefined)?.minutes),
    // Locked at once; answered once its last snapshot, written in slices while other calls are served, is on disk.
    lock: async () => {
      vault.lock("request")
      await vault.settled()
      return { locked: true }
    },
    "records.list": (params) => {
      const { filter, page } = readListParams(params)
      const listed = vault.listed(filter, RESERVED_HIDDEN, page)
      if (optionalBoolean(params, "rows") !== true) return listed as RecordSummary[] | RecordPage
      return "records" in listed ? { ...listed, records: new SummaryRows(listed.records) } : new SummaryRows(listed)
    },
    "records.get": (params) => vault.get(requireString(params, "id")),
    "records.create": async (params) => ({ id: await vault.changes.create(requireObject<RecordInput>(params, "record")) }),
    "records.update": (params) => vault.changes.update(requireString(params, "id"), readPatch(params)),
    "records.delete": async (params) => {
      const id = requireString(params, "id")
      const permanent = optionalBoolean(params, "permanent") ?? false
      await vault.changes.remove(id, permanent)
      return { id, permanent }
    },
    // The use cases a daemon runs now and then (history, revoke, restore, password change, kit, audit, import, export) load at their first call.
    "records.history": async (params) => (await import("../app/record-history.js")).recordHistory({ vault, store }, requireString(params, "id")),
    "devices.list": () => listDevices({ store, selfId: vault.deviceId, sessions: () => sync().replicator.sessions() }),
    "devices.revoke": async (params) => (await import("../app/revoke-device.js")).revokeDevice({ vault, store, account: sync().account, network: sync().network, replicator: sync().replicator }, requireString(params, "deviceId")),
    "pairing.open": (params) => {
      // Pairing signs the new device into the trust list with the trust key: only an unlocked vault has it.
      if (vault.locked) throw new LockedError()
      const seconds = (params as { seconds?: unknown })?.seconds
      if (seconds !== undefined && typeof seconds !== "number") throw new InvalidParamsError('"seconds" must be a number')
      return { until: sync().pairing.open(seconds) }
    },
    "peers.add": (params) => {
      const address = sync().network.addPeer(requireString(params, "address"))
      sync().sharing.share()
      return { address }
    },
    "peers.list": () => sync().network.status(),
    "peers.remove": (params) => {
      const address = requireString(params, "address")
      if (!sync().network.removePeer(address)) throw new NotFoundError(`peer ${address}`)
      return { address }
    },
    "folders.add": (params) => sync().folders.add(requireString(params, "path")),
    "folders.list": () => sync().folders.list(),
    "folders.remove": (params) => sync().folders.remove(requireString(params, "path")),
    "backup.create": async () => infoOf(await backups().create(paced((done, total) => publish({ type: "work.progress", work: "backup", done, total })))),
    "backup.list": async () => (await backups().list()).map(infoOf),
    "backup.restore": async (params) => (await import("../app/restore-backup.js")).restoreBackup(
      { vault, store, backups: backups(), replicator: sync().replicator, former },
      requireString(params, "path"), requireString(params, "password"), optionalBoolean(params, "replace") ?? false,
    ),
    "pairing.close": () => {
      sync().pairing.close()
      return { closed: true }
    },
    "pairing.confirm": (params) => {
      const accept = optionalBoolean(params, "accept")
      if (accept === undefined) throw new InvalidParamsError('"accept" must be true or false')
      // Accepting signs the new device in with the trust key: only an unlocked vault has it (the code keeps waiting).
      if (accept && vault.locked) throw new LockedError()
      return sync().pairing.confirm(accept, optionalString(params, "code"))
    },
    "pairing.status": () => {
      const { pairing } = sync()
      return { open: pairing.isOpen, ...(pairing.openUntil ? { until: pairing.openUntil } : {}), ...(pairing.pending ? { pending: pairing.pending } : {}) }
    },
    "devices.rename": (params) => {
      // Like every trust-list change, only with the vault unlocked: the rename is signed with the trust key (peers take only signed ones).
      if (vault.locked) throw new LockedError()
      const { accountIdBytes } = sync().account
      const renamed = renameDevice(store, vault.deviceId, requireString(params, "deviceId"), requireString(params, "name"), (deviceId, name, renamedAt) => {
        const trustKey = vault.trustKey()
        try {
          return signRename(trustKey.secret, accountIdBytes, deviceId, name, renamedAt)
        } finally {
          wipe(trustKey.secret)
        }
      })
      sync().replicator.publishTrust()
      return renamed
    },
    "account.changePassword": async (params) => (await import("../app/change-password.js")).changePassword(
      { vault, replicator: sync().replicator, afterChange: () => quickUnlock.forget() },
      requireString(params, "old"), requireString(params, "new"), newPasswordOptions(params),
    ),
    "account.reset": async (params) => {
      const result = await vault.reset(requireString(params, "password"), newPasswordOptions(params))
      await quickUnlock.forget()
      await afterReset()
      return { accountKey: result.accountKey, accountId: result.accountId }
    },
    "account.kit": async (params) => (await import("../app/account-kit.js")).writeKit(vault, requireString(params, "path")),
    audit: async () => (await import("../app/audit.js")).auditVault(vault),
    // Parsers and writers (kdbxweb, fast-xml-parser, csv-*: ≈ 20 MiB) run on a worker thread, never loaded here.
    import: async (params) => {
      // An import allocates much on many threads: their malloc arenas give memory back as they go (malloc-trim.ts).
      fixMallocTrimThreshold()
      return (await import("../import/transfer.js")).importFromFile(vault, params, paced((done, total) => publish({ type: "import.progress", done, total })))
    },
    export: async (params) => (await import("../import/transfer.js")).exportToFile(vault, params, paced((done, total) => publish({ type: "work.progress", work: "export", done, total }))),
    ...lazyDailyMethods(vault),
  }
}


const DAILY_METHODS: readonly DailyMethodName[] = ["records.find", "records.search", "totp", "generate", "strength"]

/** The everyday methods, their module (record queries over Automerge, TOTP, the generator) loaded at the first call. */
function lazyDailyMethods(vault: RecordReader): Handlers {
  let methods: Promise<DailyMethods> | undefined
  const load = () => (methods ??= import("./daily-methods.js").then((module) => module.createDailyMethods(vault)))
  const table: Record<string, (params: unknown) => Promise<unknown>> = {}
  for (const name of DAILY_METHODS) table[name] = async (params) => ((await load())[name] as (params: unknown) => unknown)(params)
  return table as Handlers
}

/** `remember`: true (default limits) or `{uses?, days?}`; anything else is refused. */
function readRemember(params: unknown): RememberLimits | undefined {
  const remember = (params as { remember?: unknown } | undefined)?.remember
  if (remember === undefined || remember === false) return undefined
  if (remember === true) return {}
  if (typeof remember !== "object" || remember === null) throw new InvalidParamsError('"remember" must be true or {uses?, days?}')
  const { uses, days } = remember as { uses?: unknown; days?: unknown }
  if ((uses !== undefined && typeof uses !== "number") || (days !== undefined && typeof days !== "number")) throw new InvalidParamsError('"remember.uses" and "remember.days" must be numbers')
  return { uses: uses as number | undefined, days: days as number | undefined }
}

function newPasswordOptions(params: unknown): { allowWeak?: boolean; hint?: string } {
  return { allowWeak: optionalBoolean(params, "allowWeak"), hint: optionalString(params, "hint") }
}

function infoOf(info: { path: string; createdAt: number; entries: number; bytes: number }) {
  return { path: info.path, createdAt: info.createdAt, entries: info.entries, bytes: info.bytes }
}

/** Browser associations are records of a reserved type: listed only when asked for by type. */
/** A list shows no browser association unless asked for its type. */
const RESERVED_HIDDEN = { hiddenTypes: new Set([ASSOCIATION_TYPE]) }

/** `records.list` params (ListParams): the filter, and the page asked for if any. */
function readListParams(params: unknown): { filter: ListFilter; page?: { limit: number; cursor?: string } } {
  const filter = { query: optionalString(params, "query"), type: optionalString(params, "type"), tag: optionalString(params, "tag"), trash: optionalBoolean(params, "trash") }
  const limit = (params as { limit?: unknown } | undefined)?.limit
  const cursor = optionalString(params, "cursor")
  if (limit === undefined || limit === null) {
    if (cursor !== undefined) throw new InvalidParamsError('"cursor" goes with "limit": pass the "limit" of the first page again')
    return { filter }
  }
  if (typeof limit !== "number") throw new InvalidParamsError('"limit" must be a number')
  return { filter, page: { limit, cursor } }
}

function readPatch(params: unknown): RecordPatch {
  const { set, unset } = (params ?? {}) as RecordPatch
  if (set !== undefined && (typeof set !== "object" || set === null || Array.isArray(set))) throw new InvalidParamsError('"set" must be an object')
  if (unset !== undefined && (!Array.isArray(unset) || unset.some((name) => typeof name !== "string"))) {
    throw new InvalidParamsError('"unset" must be a list of field names')
  }
  return { set, unset }
}
