import Database from "better-sqlite3"
import { CorruptDataError, NotFoundError } from "../errors.js"
import { BackgroundCheckpoints } from "./background-checkpoints.js"
import { DeviceSecrets } from "./device-secrets.js"
import { keysetBeats } from "./keyset-rank.js"
import { checkEntry, type LogEntry } from "./log-entry.js"
import { openConnection, withoutDiskWait, type SqliteStoreOptions } from "./sqlite-connection.js"
import { mapSqliteError } from "./sqlite-file.js"
import { bytes, toEntry, toSnapshot, toTrust, toVector, trustParams, type EntryRow, type SnapshotDbRow, type TrustRow } from "./sqlite-rows.js"
import { SQL } from "./sqlite-schema.js"
import {
  checkDeviceId, checkIdentity, checkKeyset, checkLimit, checkOwnAppend, checkSeq, checkSnapshotRow, checkSnapshotSet,
  checkTrustEntry, checkVector, placeEntry, sortByPosition,
} from "./store-checks.js"
import type {
  DeviceIdentity, InsertOptions, InsertResult, KeysetRow, SnapshotRow, TrustEntry, VaultStore, VersionVector,
} from "./vault-store.js"

/** SQLite's LIMIT for "no limit". */
const NO_LIMIT = -1

type SqlName = Exclude<keyof typeof SQL, "wipeAccountData">

/**
 * {@link VaultStore} on one SQLite file (better-sqlite3): WAL, synchronous=FULL so
 * an acknowledged write is on disk, mode 0600. Opening refuses a damaged or
 * foreign file with CorruptDataError and never writes to it.
 */
export class SqliteStore implements VaultStore {
  private readonly statements = new Map<SqlName, Database.Statement>()
  private readonly secrets: DeviceSecrets
  private readonly checkpoints: BackgroundCheckpoints

  /** `path`: the file, named in every error message. */
  private constructor(private readonly db: Database.Database, readonly path: string) {
    this.secrets = new DeviceSecrets(path)
    this.checkpoints = new BackgroundCheckpoints(db, path)
  }

  /**
   * Opens (creating it if missing, mode 0600) the vault database at `path`, checks
   * its integrity and migrates its schema. Throws CorruptDataError for a truncated,
   * damaged or non-lanvault file, which is left byte-for-byte unchanged.
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(openConnection(path, options), path)
  }

  /** Closes the database once no checkpoint worker holds a connection to it (blocking): its close is then SQLite's last, which removes the WAL. */
  close(): void {
    this.checkpoints.close()
    if (this.db.open) this.db.close()
  }

  /** Checkpoints off this thread (BackgroundCheckpoints), or back with SQLite at once; `failed`: a background one failed (back with SQLite then). */
  checkpointInBackground(on: boolean, failed: (error: unknown) => void = () => {}): void {
    if (!on) this.checkpoints.stop()
    else if (!this.db.readonly) this.checkpoints.start(failed)
  }

  getMeta(key: string): string | undefined {
    return this.guard(() => this.stmt("getMeta").pluck().get(key) as string | undefined)
  }

  setMeta(key: string, value: string): void {
    if (typeof key !== "string" || typeof value !== "string") throw new TypeError("meta keys and values are strings")
    this.write(() => this.stmt("setMeta").run(key, value))
  }

  deleteMeta(key: string): void {
    this.write(() => this.stmt("deleteMeta").run(key))
  }

  appendOwn(entry: LogEntry): void {
    this.transaction(() => {
      checkEntry(entry)
      checkOwnAppend(entry, this.head(entry.deviceId))
      this.writeEntry(entry)
      this.stmt("setHead").run(entry.deviceId, entry.seq)
    })
  }

  insertEntries(entries: readonly LogEntry[], options: InsertOptions = {}): InsertResult {
    const sorted = sortByPosition(entries)
    const insert = () => this.transaction(() => {
      const heads = new Map<string, number>()
      const inserted: LogEntry[] = []
      const filled = new Set<string>()
      let fills = 0
      for (const entry of sorted) {
        const head = heads.get(entry.deviceId) ?? this.head(entry.deviceId)
        const held = entry.seq <= head ? this.entryAt(entry.deviceId, entry.seq) : undefined
        const floor = held === undefined && entry.seq <= head ? this.floorOf(entry.deviceId) : 0
        const placement = placeEntry(entry, head, held, floor)
        if (placement === "skip") continue
        this.writeEntry(entry)
        if (placement === "fill") {
          filled.add(entry.deviceId)
          fills++
          continue
        }
        heads.set(entry.deviceId, entry.seq)
        inserted.push(entry)
      }
      for (const [deviceId, seq] of heads) this.stmt("setHead").run(deviceId, seq)
      // A floor with no hole left under it is dropped: the log is whole again.
      for (const deviceId of filled) if (this.stmt("countUpTo").pluck().get(deviceId, this.floorOf(deviceId)) === this.floorOf(deviceId)) this.stmt("dropFloor").run(deviceId)
      return { inserted, filled: fills }
    })
    return options.waitForDisk === false ? this.guard(() => withoutDiskWait(this.db, insert)) : insert()
  }

  entriesAfter(vector: VersionVector, limit?: number): LogEntry[] {
    checkVector(vector)
    const max = checkLimit(limit)
    return this.guard(() => {
      const out: LogEntry[] = []
      for (const { device_id, seq } of this.stmt("heads").all() as Array<{ device_id: string; seq: number }>) {
        const from = vector[device_id] ?? 0
        if (seq <= from) continue
        if (out.length >= max) break
        out.push(...this.entriesOf(device_id, from, max === Infinity ? undefined : max - out.length))
      }
      return out
    })
  }

  entriesOf(deviceId: string, afterSeq: number, limit?: number): LogEntry[] {
    checkSeq(afterSeq, "afterSeq")
    const max = checkLimit(limit)
    return this.guard(() => {
      const rows = this.stmt("entriesOf").all(deviceId, afterSeq, max === Infinity ? NO_LIMIT : max) as EntryRow[]
      return rows.map(toEntry)
    })
  }

  head(deviceId: string): number {
    return this.guard(() => (this.stmt("head").pluck().get(deviceId) as number | undefined) ?? 0)
  }

  versionVector(): VersionVector {
    return this.guard(() => toVector(this.stmt("heads").all() as Array<{ device_id: string; seq: number }>))
  }

  countEntries(): number {
    return this.guard(() => this.stmt("countEntries").pluck().get() as number)
  }

  floorVector(): VersionVector {
    return this.guard(() => toVector(this.stmt("floors").all() as Array<{ device_id: string; seq: number }>))
  }

  adoptSnapshot(rows: readonly SnapshotRow[], vector: VersionVector): void {
    checkSnapshotSet(rows, vector)
    this.transaction(() => {
      this.stmt("clearSnapshots").run()
      for (const row of rows) this.putSnapshot(row)
      for (const [deviceId, seq] of Object.entries(vector)) {
        checkDeviceId(deviceId)
        if (seq <= this.head(deviceId)) continue
        this.stmt("setHead").run(deviceId, seq)
        this.stmt("setFloor").run(deviceId, seq)
      }
    })
  }

  putSnapshot(row: SnapshotRow): void {
    checkSnapshotRow(row)
    this.write(() => this.stmt("putSnapshot").run(row.bucket, row.epoch, JSON.stringify(row.vector), row.ciphertext))
  }

  snapshots(fromBucket = 0, limit?: number): SnapshotRow[] {
    const max = checkLimit(limit)
    return this.guard(() => (this.stmt("snapshots").all(fromBucket, max === Infinity ? NO_LIMIT : max) as SnapshotDbRow[]).map((r) => toSnapshot(r, this.path)))
  }

  clearSnapshots(): void {
    this.write(() => this.stmt("clearSnapshots").run())
  }

  getKeyset(): KeysetRow | undefined {
    const row = this.guard(() => this.stmt("getKeyset").get() as { version: number; blob: Buffer } | undefined)
    return row === undefined ? undefined : { version: row.version, blob: bytes(row.blob) }
  }

  putKeyset(version: number, blob: Uint8Array): boolean {
    checkKeyset(version, blob)
    return this.transaction(() => {
      if (!keysetBeats({ version, blob }, this.getKeyset())) return false
      this.guard(() => this.stmt("putKeyset").run(version, blob))
      return true
    })
  }

  trustList(): TrustEntry[] {
    return this.guard(() => (this.stmt("trustList").all() as TrustRow[]).map(toTrust))
  }

  getTrust(deviceId: string): TrustEntry | undefined {
    const row = this.guard(() => this.stmt("getTrust").get(deviceId) as TrustRow | undefined)
    return row === undefined ? undefined : toTrust(row)
  }

  putTrust(entry: TrustEntry): void {
    checkTrustEntry(entry)
    this.write(() => this.stmt("putTrust").run(trustParams(entry)))
  }

  revokeTrust(deviceId: string, at: number): void {
    checkSeq(at, "revokedAt")
    const changes = this.write(() => this.stmt("revokeTrust").run({ deviceId, at }).changes)
    if (changes === 0) throw new NotFoundError(`device ${deviceId}`)
  }

  touchTrust(deviceId: string, lastSeenAt: number): void {
    checkSeq(lastSeenAt, "lastSeenAt")
    this.write(() => this.stmt("touchTrust").run({ deviceId, at: lastSeenAt }))
  }

  /** This device's keys, opened with device.key (see DeviceSecrets); legacy keys in the clear are sealed on first read. */
  getIdentity(): DeviceIdentity | undefined {
    const row = this.guard(() => this.stmt("getIdentity").get() as
      { device_id: string; sign_secret: Buffer; dh_secret: Buffer } | undefined)
    if (row === undefined) return undefined
    const { device_id: deviceId, sign_secret: sign, dh_secret: dh } = row
    const identity = { deviceId, signSecret: this.secrets.open(deviceId, "sign", bytes(sign)), dhSecret: this.secrets.open(deviceId, "dh", bytes(dh)) }
    if (DeviceSecrets.isLegacy(sign) && !this.db.readonly) this.setIdentity(identity)
    return identity
  }

  getDeviceId = (): string | undefined => this.guard(() => this.stmt("getDeviceId").pluck().get() as string | undefined)

  setIdentity(identity: DeviceIdentity): void {
    checkIdentity(identity)
    const sign = this.secrets.seal(identity.deviceId, "sign", identity.signSecret)
    const dh = this.secrets.seal(identity.deviceId, "dh", identity.dhSecret)
    this.write(() => this.stmt("setIdentity").run(identity.deviceId, sign, dh))
  }

  wipeAccountData(): void {
    this.transaction(() => SQL.wipeAccountData.forEach((sql) => this.db.prepare(sql).run()))
  }

  checkpoint(): void {
    this.guard(() => this.db.pragma("wal_checkpoint(TRUNCATE)"))
  }

  /** Hands SQLite's page cache back to the allocator (a lock: the unlocked session's pages are not needed). */
  releaseMemory(): void {
    if (this.db.open) this.db.pragma("shrink_memory")
  }

  transaction<T>(fn: () => T): T {
    return this.write(() => this.db.transaction(() => {
      const result = fn()
      // Throwing inside rolls back: an async fn would otherwise commit half its work.
      if (typeof (result as { then?: unknown } | null)?.then === "function") throw new TypeError("a store transaction must be synchronous")
      return result
    })())
  }

  /** {@link guard} for a write: once it is committed (not inside an open transaction), the checkpoints hear of it. */
  private write<T>(fn: () => T): T {
    const result = this.guard(fn)
    if (!this.db.inTransaction) this.checkpoints.afterWrite()
    return result
  }

  private writeEntry(entry: LogEntry): void {
    checkDeviceId(entry.deviceId)
    this.stmt("insertEntry").run(entry.deviceId, entry.seq, entry.epoch, entry.ciphertext, entry.signature)
  }

  private floorOf(deviceId: string): number {
    return (this.stmt("floor").pluck().get(deviceId) as number | undefined) ?? 0
  }

  private entryAt(deviceId: string, seq: number): LogEntry | undefined {
    const row = this.stmt("getEntry").get(deviceId, seq) as EntryRow | undefined
    return row === undefined ? undefined : toEntry(row)
  }

  private stmt(name: SqlName): Database.Statement {
    let statement = this.statements.get(name)
    if (statement === undefined) {
      statement = this.db.prepare(SQL[name])
      this.statements.set(name, statement)
    }
    // pluck() is sticky per statement: reset it so each caller states what it wants.
    return statement.reader ? statement.pluck(false) : statement
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (error) {
      throw mapSqliteError(error, this.path)
    }
  }
}
