import { NotFoundError } from "../errors.js"
import { keysetBeats } from "./keyset-rank.js"
import { checkEntry, type LogEntry } from "./log-entry.js"
import {
  checkDeviceId, checkIdentity, checkKeyset, checkLimit, checkOwnAppend, checkSeq, checkSnapshotRow, checkSnapshotSet,
  checkTrustEntry, checkVector, compareTrust, copyTrust, placeEntry, sortByPosition,
} from "./store-checks.js"
import type {
  DeviceIdentity, InsertOptions, InsertResult, KeysetRow, SnapshotRow, TrustEntry, VaultStore, VersionVector,
} from "./vault-store.js"

/** Everything the store holds; cloned on entering a transaction so a throw can restore it. */
interface State {
  meta: Map<string, string>
  /** deviceId → entries, index = seq − 1; holes only at or below the device's floor. */
  logs: Map<string, Array<LogEntry | undefined>>
  floors: Map<string, number>
  snapshots: Map<number, SnapshotRow>
  keyset: KeysetRow | undefined
  trust: Map<string, TrustEntry>
  identity: DeviceIdentity | undefined
}

function emptyState(): State {
  return { meta: new Map(), logs: new Map(), floors: new Map(), snapshots: new Map(), keyset: undefined, trust: new Map(), identity: undefined }
}

// Entries, rows and keys are never mutated in place, so a shallow copy per
// collection is a faithful snapshot.
function cloneState(s: State): State {
  return {
    meta: new Map(s.meta),
    logs: new Map([...s.logs].map(([id, log]) => [id, [...log]])),
    floors: new Map(s.floors),
    snapshots: new Map(s.snapshots),
    keyset: s.keyset,
    trust: new Map(s.trust),
    identity: s.identity,
  }
}

function copyEntry(e: LogEntry): LogEntry {
  return { deviceId: e.deviceId, seq: e.seq, epoch: e.epoch, ciphertext: e.ciphertext.slice(), signature: e.signature.slice() }
}

function copySnapshot(r: SnapshotRow): SnapshotRow {
  return { bucket: r.bucket, epoch: r.epoch, vector: { ...r.vector }, ciphertext: r.ciphertext.slice() }
}

/**
 * The in-memory fake of {@link VaultStore}: same rules (it passes the same
 * contract suite as SqliteStore), nothing on disk. For tests and demos.
 */
export class MemoryStore implements VaultStore {
  private state: State = emptyState()
  private closed = false

  close(): void {
    this.closed = true
  }

  getMeta(key: string): string | undefined {
    return this.live().meta.get(key)
  }

  setMeta(key: string, value: string): void {
    if (typeof key !== "string" || typeof value !== "string") throw new TypeError("meta keys and values are strings")
    this.live().meta.set(key, value)
  }

  deleteMeta(key: string): void {
    this.live().meta.delete(key)
  }

  appendOwn(entry: LogEntry): void {
    checkEntry(entry)
    checkOwnAppend(entry, this.head(entry.deviceId))
    this.logOf(entry.deviceId).push(copyEntry(entry))
  }

  insertEntries(entries: readonly LogEntry[], _options?: InsertOptions): InsertResult {
    return this.transaction(() => {
      const inserted: LogEntry[] = []
      let filled = 0
      const { floors } = this.live()
      for (const entry of sortByPosition(entries)) {
        const log = this.live().logs.get(entry.deviceId)
        const floor = floors.get(entry.deviceId) ?? 0
        const placement = placeEntry(entry, log?.length ?? 0, log?.[entry.seq - 1], floor)
        if (placement === "skip") continue
        if (placement === "insert") {
          this.logOf(entry.deviceId).push(copyEntry(entry))
          inserted.push(entry)
          continue
        }
        const holes = this.logOf(entry.deviceId)
        holes[entry.seq - 1] = copyEntry(entry)
        filled++
        // A floor with no hole left under it is dropped: the log is whole again.
        if (!holes.slice(0, floor).includes(undefined)) floors.delete(entry.deviceId)
      }
      return { inserted, filled }
    })
  }

  entriesAfter(vector: VersionVector, limit?: number): LogEntry[] {
    checkVector(vector)
    const max = checkLimit(limit)
    const out: LogEntry[] = []
    for (const deviceId of [...this.live().logs.keys()].sort()) {
      if (out.length >= max) break
      out.push(...this.slice(deviceId, vector[deviceId] ?? 0, max - out.length))
    }
    return out
  }

  entriesOf(deviceId: string, afterSeq: number, limit?: number): LogEntry[] {
    checkSeq(afterSeq, "afterSeq")
    return this.slice(deviceId, afterSeq, checkLimit(limit))
  }

  head(deviceId: string): number {
    return this.live().logs.get(deviceId)?.length ?? 0
  }

  versionVector(): VersionVector {
    const vector: VersionVector = {}
    for (const [deviceId, log] of this.live().logs) if (log.length > 0) vector[deviceId] = log.length
    return vector
  }

  countEntries(): number {
    let count = 0
    for (const log of this.live().logs.values()) for (const entry of log) if (entry !== undefined) count++
    return count
  }

  floorVector(): VersionVector {
    return Object.fromEntries(this.live().floors)
  }

  adoptSnapshot(rows: readonly SnapshotRow[], vector: VersionVector): void {
    checkSnapshotSet(rows, vector)
    this.transaction(() => {
      const state = this.live()
      state.snapshots.clear()
      for (const row of rows) this.putSnapshot(row)
      for (const [deviceId, seq] of Object.entries(vector)) {
        const log = this.logOf(deviceId)
        if (seq <= log.length) continue
        log.length = seq
        state.floors.set(deviceId, Math.max(seq, state.floors.get(deviceId) ?? 0))
      }
    })
  }

  putSnapshot(row: SnapshotRow): void {
    checkSnapshotRow(row)
    this.live().snapshots.set(row.bucket, copySnapshot(row))
  }

  snapshots(fromBucket = 0, limit = Infinity): SnapshotRow[] {
    const rows = [...this.live().snapshots.values()].filter((row) => row.bucket >= fromBucket).sort((a, b) => a.bucket - b.bucket)
    return rows.slice(0, limit).map(copySnapshot)
  }

  clearSnapshots(): void {
    this.live().snapshots.clear()
  }

  getKeyset(): KeysetRow | undefined {
    const keyset = this.live().keyset
    return keyset === undefined ? undefined : { version: keyset.version, blob: keyset.blob.slice() }
  }

  putKeyset(version: number, blob: Uint8Array): boolean {
    checkKeyset(version, blob)
    const state = this.live()
    if (!keysetBeats({ version, blob }, state.keyset)) return false
    state.keyset = { version, blob: blob.slice() }
    return true
  }

  trustList(): TrustEntry[] {
    return [...this.live().trust.values()].sort(compareTrust).map(copyTrust)
  }

  getTrust(deviceId: string): TrustEntry | undefined {
    const entry = this.live().trust.get(deviceId)
    return entry === undefined ? undefined : copyTrust(entry)
  }

  putTrust(entry: TrustEntry): void {
    checkTrustEntry(entry)
    const trust = this.live().trust
    const held = trust.get(entry.deviceId)
    const next = copyTrust(entry)
    const revokedAt = minDefined(held?.revokedAt, entry.revokedAt)
    const lastSeenAt = maxDefined(held?.lastSeenAt, entry.lastSeenAt)
    if (revokedAt !== undefined) next.revokedAt = revokedAt
    if (lastSeenAt !== undefined) next.lastSeenAt = lastSeenAt
    if (next.addSig === undefined && held?.addSig !== undefined) next.addSig = held.addSig
    // The revocation's signature and cutoff go with the revocation time that wins (as in SQL).
    const incomingWins = entry.revokedAt !== undefined && (held?.revokedAt === undefined || entry.revokedAt < held.revokedAt)
    if (!incomingWins && held?.revokedAt !== undefined) {
      if (held.revokeSig !== undefined) next.revokeSig = held.revokeSig
      else delete next.revokeSig
      if (held.lastSeq !== undefined) next.lastSeq = held.lastSeq
      else delete next.lastSeq
    }
    trust.set(entry.deviceId, next)
  }

  revokeTrust(deviceId: string, at: number): void {
    checkSeq(at, "revokedAt")
    const held = this.live().trust.get(deviceId)
    if (held === undefined) throw new NotFoundError(`device ${deviceId}`)
    this.live().trust.set(deviceId, { ...held, revokedAt: minDefined(held.revokedAt, at) })
  }

  touchTrust(deviceId: string, lastSeenAt: number): void {
    checkSeq(lastSeenAt, "lastSeenAt")
    const held = this.live().trust.get(deviceId)
    if (held === undefined) return
    this.live().trust.set(deviceId, { ...held, lastSeenAt: maxDefined(held.lastSeenAt, lastSeenAt) })
  }

  getIdentity(): DeviceIdentity | undefined {
    const id = this.live().identity
    return id === undefined ? undefined : { deviceId: id.deviceId, signSecret: id.signSecret.slice(), dhSecret: id.dhSecret.slice() }
  }

  getDeviceId(): string | undefined {
    return this.live().identity?.deviceId
  }

  setIdentity(identity: DeviceIdentity): void {
    checkIdentity(identity)
    this.live().identity = { deviceId: identity.deviceId, signSecret: identity.signSecret.slice(), dhSecret: identity.dhSecret.slice() }
  }

  wipeAccountData(): void {
    const state = this.live()
    state.logs.clear()
    state.floors.clear()
    state.snapshots.clear()
    state.keyset = undefined
    state.trust.clear()
  }

  transaction<T>(fn: () => T): T {
    const saved = cloneState(this.live())
    try {
      const result = fn()
      if (isThenable(result)) throw new TypeError("a store transaction must be synchronous")
      return result
    } catch (error) {
      this.state = saved
      throw error
    }
  }

  private live(): State {
    if (this.closed) throw new TypeError("the store is closed")
    return this.state
  }

  private slice(deviceId: string, afterSeq: number, max: number): LogEntry[] {
    const log = this.live().logs.get(deviceId) ?? []
    const out: LogEntry[] = []
    for (let i = afterSeq; i < log.length && out.length < max; i++) {
      const entry = log[i]
      if (entry !== undefined) out.push(copyEntry(entry))
    }
    return out
  }

  private logOf(deviceId: string): Array<LogEntry | undefined> {
    checkDeviceId(deviceId)
    const logs = this.live().logs
    let log = logs.get(deviceId)
    if (log === undefined) logs.set(deviceId, (log = []))
    return log
  }
}

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === "function"
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b)
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b)
}
