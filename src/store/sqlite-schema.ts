import type Database from "better-sqlite3"
import { CorruptDataError, LanvaultError } from "../errors.js"
import { notChangedHint } from "./sqlite-file.js"

/**
 * The SQLite schema of vault.db, its migrations, and the SQL SqliteStore runs.
 * `PRAGMA user_version` holds the schema version; `PRAGMA application_id` marks
 * the file as lanvault's so another program's database is never touched.
 */

/** Schema version this code writes; migrations[v] takes a file from v to v + 1. */
export const SCHEMA_VERSION = 7
/** "LVLT": written in the SQLite header of every lanvault database. */
export const APPLICATION_ID = 0x4c564c54

const MIGRATIONS: readonly string[] = [
  // 0 → 1: the first schema.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE entries (
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    epoch INTEGER NOT NULL CHECK (epoch >= 0),
    ciphertext BLOB NOT NULL,
    signature BLOB NOT NULL CHECK (length(signature) = 64),
    PRIMARY KEY (device_id, seq)
  ) WITHOUT ROWID;
  -- one row per device, updated in the transaction that appends: the version vector costs O(devices)
  CREATE TABLE heads (device_id TEXT PRIMARY KEY, seq INTEGER NOT NULL CHECK (seq >= 1)) WITHOUT ROWID;
  CREATE TABLE snapshots (
    bucket INTEGER PRIMARY KEY CHECK (bucket >= 0),
    epoch INTEGER NOT NULL,
    vector TEXT NOT NULL,
    ciphertext BLOB NOT NULL
  );
  CREATE TABLE keyset (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, blob BLOB NOT NULL);
  CREATE TABLE trust (
    device_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sign_public BLOB NOT NULL,
    dh_public BLOB NOT NULL,
    added_at INTEGER NOT NULL,
    revoked_at INTEGER,
    last_seen_at INTEGER
  ) WITHOUT ROWID;
  CREATE TABLE identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT NOT NULL,
    sign_secret BLOB NOT NULL,
    dh_secret BLOB NOT NULL
  );
  `,
  // 1 → 2: trust-list changes carry the account trust key's signatures, and a revocation its cutoff (issue 17).
  `
  ALTER TABLE trust ADD COLUMN add_sig BLOB;
  ALTER TABLE trust ADD COLUMN revoke_sig BLOB;
  ALTER TABLE trust ADD COLUMN last_seq INTEGER;
  `,
  // 2 → 3: a device name carries the time of its rename, so renames sync like any change (issue 11 item 9).
  `
  ALTER TABLE trust ADD COLUMN renamed_at INTEGER;
  `,
  // 3 → 4: snapshot-first sync (issue 18): entries up to a device's floor may be absent, a peer's snapshot covers them.
  `
  CREATE TABLE floors (device_id TEXT PRIMARY KEY, seq INTEGER NOT NULL CHECK (seq >= 1)) WITHOUT ROWID;
  `,
  // 4 → 5: a rename carries the trust key's signature; peers adopt only signed renames (issue 17).
  `
  ALTER TABLE trust ADD COLUMN rename_sig BLOB;
  `,
  // 5 → 6: a snapshot row's sealed bucket may hold the bucket's summary index beside its Automerge save
  // (merge/bucket-snapshot.ts; issue 18). Rows written before stay as they are and are read as before
  // (the next snapshot adds the index); the version keeps an older lanvault, which cannot read the new rows, away.
  `
  SELECT 1;
  `,
  // 6 → 7: a record id names its bucket (issue 18): entries and snapshots may name any bucket 0 … 65,535.
  // Nothing to convert (records never move); the number keeps a lanvault of schema 6, which would hide
  // such records, from opening the file.
  `
  INSERT INTO meta (key, value) VALUES ('vault.layout', 'named-buckets') ON CONFLICT (key) DO NOTHING;
  `,
]

/**
 * Refuses a file that is SQLite but not lanvault's (another program's tables, or
 * another application id), before anything is written to it.
 */
export function checkApplication(db: Database.Database, path: string): void {
  const appId = db.pragma("application_id", { simple: true }) as number
  const version = db.pragma("user_version", { simple: true }) as number
  if (appId === APPLICATION_ID) return
  const tables = db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number
  if (appId === 0 && version === 0 && tables === 0) return // a new, empty file
  throw new CorruptDataError(
    `${path} is an SQLite database of another program, not a lanvault vault; ${notChangedHint()}`)
}

/**
 * Brings the schema up to {@link SCHEMA_VERSION} in one transaction. A file from a
 * newer lanvault is refused unchanged (UNSUPPORTED_FORMAT); so is a read-only open
 * of a file that needs migrating.
 */
export function migrate(db: Database.Database, path: string, readonly: boolean): void {
  const version = db.pragma("user_version", { simple: true }) as number
  if (version > SCHEMA_VERSION) {
    throw new LanvaultError("UNSUPPORTED_FORMAT",
      `${path} was written by a newer lanvault (schema ${version}; this one knows up to ${SCHEMA_VERSION}): ` +
      "upgrade lanvault. The file was not changed")
  }
  if (version === SCHEMA_VERSION) return
  if (readonly) {
    throw new LanvaultError("UNSUPPORTED_FORMAT",
      `${path} needs a schema upgrade, which a read-only open cannot do: open it once read-write`)
  }
  db.transaction(() => {
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v])
    db.pragma(`application_id = ${APPLICATION_ID}`)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  })()
}

/** The statements SqliteStore runs, by name; prepared once per connection. */
export const SQL = {
  getMeta: "SELECT value FROM meta WHERE key = ?",
  setMeta: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  deleteMeta: "DELETE FROM meta WHERE key = ?",
  getEntry: "SELECT device_id, seq, epoch, ciphertext, signature FROM entries WHERE device_id = ? AND seq = ?",
  insertEntry: "INSERT INTO entries (device_id, seq, epoch, ciphertext, signature) VALUES (?, ?, ?, ?, ?)",
  // A range of the primary key: O(log n + returned), never a scan.
  entriesOf: "SELECT device_id, seq, epoch, ciphertext, signature FROM entries WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?",
  head: "SELECT seq FROM heads WHERE device_id = ?",
  setHead: "INSERT INTO heads (device_id, seq) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq",
  heads: "SELECT device_id, seq FROM heads ORDER BY device_id",
  floor: "SELECT seq FROM floors WHERE device_id = ?",
  floors: "SELECT device_id, seq FROM floors ORDER BY device_id",
  dropFloor: "DELETE FROM floors WHERE device_id = ?",
  countUpTo: "SELECT count(*) FROM entries WHERE device_id = ? AND seq <= ?",
  setFloor: "INSERT INTO floors (device_id, seq) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET seq = max(seq, excluded.seq)",
  countEntries: "SELECT count(*) FROM entries",
  putSnapshot: "INSERT OR REPLACE INTO snapshots (bucket, epoch, vector, ciphertext) VALUES (?, ?, ?, ?)",
  snapshots: "SELECT bucket, epoch, vector, ciphertext FROM snapshots WHERE bucket >= ? ORDER BY bucket LIMIT ?",
  clearSnapshots: "DELETE FROM snapshots",
  getKeyset: "SELECT version, blob FROM keyset WHERE id = 1",
  // Which keyset wins is decided in code (version, then digest: keyset-rank.ts).
  putKeyset: `INSERT INTO keyset (id, version, blob) VALUES (1, ?, ?)
    ON CONFLICT (id) DO UPDATE SET version = excluded.version, blob = excluded.blob`,
  trustList: "SELECT * FROM trust ORDER BY added_at, device_id",
  getTrust: "SELECT * FROM trust WHERE device_id = ?",
  // Revocation is sticky (the earliest time wins) and last-seen only moves forward,
  // so replaying an older trust list never un-revokes a device.
  // The revocation's signature and cutoff go with the revocation time that wins.
  putTrust: `INSERT INTO trust (device_id, name, sign_public, dh_public, added_at, revoked_at, last_seen_at, add_sig, revoke_sig, last_seq, renamed_at, rename_sig)
    VALUES (@deviceId, @name, @signPublic, @dhPublic, @addedAt, @revokedAt, @lastSeenAt, @addSig, @revokeSig, @lastSeq, @renamedAt, @renameSig)
    ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, renamed_at = excluded.renamed_at, rename_sig = excluded.rename_sig, sign_public = excluded.sign_public,
      dh_public = excluded.dh_public, added_at = excluded.added_at, add_sig = coalesce(excluded.add_sig, trust.add_sig),
      revoke_sig = CASE WHEN excluded.revoked_at IS NOT NULL AND (trust.revoked_at IS NULL OR excluded.revoked_at < trust.revoked_at)
        THEN excluded.revoke_sig ELSE coalesce(trust.revoke_sig, excluded.revoke_sig) END,
      last_seq = CASE WHEN excluded.revoked_at IS NOT NULL AND (trust.revoked_at IS NULL OR excluded.revoked_at < trust.revoked_at)
        THEN excluded.last_seq ELSE coalesce(trust.last_seq, excluded.last_seq) END,
      revoked_at = coalesce(min(trust.revoked_at, excluded.revoked_at), trust.revoked_at, excluded.revoked_at),
      last_seen_at = coalesce(max(trust.last_seen_at, excluded.last_seen_at), trust.last_seen_at, excluded.last_seen_at)`,
  revokeTrust: "UPDATE trust SET revoked_at = coalesce(min(revoked_at, @at), @at) WHERE device_id = @deviceId",
  touchTrust: "UPDATE trust SET last_seen_at = coalesce(max(last_seen_at, @at), @at) WHERE device_id = @deviceId",
  getIdentity: "SELECT device_id, sign_secret, dh_secret FROM identity WHERE id = 1",
  getDeviceId: "SELECT device_id FROM identity WHERE id = 1",
  setIdentity: `INSERT INTO identity (id, device_id, sign_secret, dh_secret) VALUES (1, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET device_id = excluded.device_id, sign_secret = excluded.sign_secret, dh_secret = excluded.dh_secret`,
  wipeAccountData: ["DELETE FROM entries", "DELETE FROM heads", "DELETE FROM floors", "DELETE FROM snapshots", "DELETE FROM keyset", "DELETE FROM trust"],
} as const
