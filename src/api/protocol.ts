/**
 * The socket contract (DESIGN §10): JSON-RPC 2.0 method names with their params
 * and results, and the event map. Shared by the server, the typed client and the CLI.
 */
import type { AuditReport } from "../health/audit-types.js"
import type { StrengthReport } from "../health/strength-report.js"
import type { HistoryEntry, ListFilter, RecordInput, RecordPage, RecordPatch, RecordSummary, VaultRecord } from "../merge/types.js"
import type { SummaryRows } from "./summary-rows.js"

/** What an import did with each entry of the file (see src/import/transfer.ts). */
export interface ImportSummary {
  imported: number
  /** The format read, and why ("--format", or what detection saw). */
  format: string
  detectedBy: string
  /** Entries left out (empty, folders, in the other manager's trash) or identical to one already there. */
  skipped: Array<{ line?: number; title?: string; reason: string }>
  /** Entries imported as their own record although another has the same title, username and URL. */
  kept: Array<{ line?: number; title: string; reason: string }>
  /** Entries imported without something lanvault cannot carry (attachments, passkeys), named per entry. */
  notCarried: Array<{ line?: number; title: string; items: string[] }>
}

/** A remembered quick unlock: unlocks left before the password is asked again, and until when. */
export interface QuickUnlockState {
  usesLeft: number
  expiresAt: number
}

export interface DeviceInfo {
  deviceId: string
  name: string
  self: boolean
  revoked: boolean
  addedAt: number
  lastSeenAt?: number
  /** Entries of this device we hold (highest seq). */
  seq: number
  state?: "connected" | "disconnected"
  address?: string
}

/** Why this device is out of its account, in plain words, with the command to run next. */
export interface DeviceStanding {
  state: "revoked" | "account reset"
  since: number
  by?: string
  message: string
  next: string
}

export interface StatusResult {
  version: string
  home: string
  socket: string
  accountId: string
  deviceId: string
  deviceName: string
  locked: boolean
  records?: number
  /** Log entries that failed their signature or decryption at unlock: skipped, kept on disk, logged. */
  unreadableEntries?: number
  /** Version of the keyset (bumped by password changes and re-keys; peers adopt the highest). */
  keysetVersion?: number
  /** This device's remembered quick unlock (`unlock --remember`), if any. */
  quickUnlock?: QuickUnlockState
  /** Minutes of inactivity before the daemon locks itself; 0 = never. */
  autoLockMinutes: number
  pid: number
  startedAt: number
  /** TCP port other devices reach this one on. */
  port?: number
  /** Set when a peer showed this device's account key is obsolete (the account was reset elsewhere). */
  obsolete?: string
  /** Set when this device no longer belongs to its account: revoked, or the account was reset elsewhere. Writes fail with REVOKED / ACCOUNT_RESET. */
  standing?: DeviceStanding
  peers: Array<{ deviceId?: string; name?: string; address: string; how: "static" | "manual" | "known" | "shared" | "mdns" | "incoming"; state: string }>
}

export interface FolderInfo {
  path: string
  addedAt: number
  lastSyncAt?: number
  error?: string
}

/** Params and result of each method. */
export interface Methods {
  status: { params: Record<string, never>; result: StatusResult }
  /**
   * Without `password`: quick unlock through the OS keychain (QUICK_UNLOCK_UNAVAILABLE / KEYCHAIN_UNAVAILABLE
   * say why not). With `remember`: keep a quick unlock after this password unlock; `notRemembered` says why not.
   */
  unlock: {
    params: { password?: string; remember?: boolean | { uses?: number; days?: number } }
    result: { unlocked: true; records: number; quick?: QuickUnlockState; remembered?: QuickUnlockState; notRemembered?: string }
  }
  /** Not in DESIGN §10's first list: forgets this device's quick unlock (`lanvault forget`). */
  "quickUnlock.forget": { params: Record<string, never>; result: { forgotten: boolean } }
  lock: { params: Record<string, never>; result: { locked: true } }
  /** Not in DESIGN §10's first list: minutes idle before the vault locks itself (0 = never, at most a week); kept on this device across restarts; LOCKED while locked. */
  "settings.autoLock": { params: { minutes: number }; result: { autoLockMinutes: number } }
  /** The whole list by title then id; with `limit` one page, `{ records, next? }` (`next` is the following page's `cursor`); see ListParams. */
  "records.list": { params: ListParams; result: RecordSummary[] | RecordPage | SummaryRows | { records: SummaryRows; next?: string } }
  "records.get": { params: { id: string }; result: VaultRecord }
  "records.create": { params: { record: RecordInput }; result: { id: string } }
  "records.update": { params: { id: string } & RecordPatch; result: VaultRecord }
  "records.delete": { params: { id: string; permanent?: boolean }; result: { id: string; permanent: boolean } }
  /** Newest first; `deviceId` / `deviceName`: the device that wrote each value (absent for imported values and older entries). */
  "records.history": { params: { id: string }; result: Array<HistoryEntry & { deviceName?: string }> }
  "devices.list": { params: Record<string, never>; result: DeviceInfo[] }
  "devices.revoke": { params: { deviceId: string }; result: { deviceId: string; accountKey: string } }
  "devices.rename": { params: { deviceId: string; name: string }; result: DeviceInfo }
  "pairing.open": { params: { seconds?: number }; result: { until: number } }
  "pairing.close": { params: Record<string, never>; result: { closed: true } }
  /**
   * Issue 17: a person's answer to the code a new device waits with (event `pairing.code`). `accept: true` needs
   * the code shown (INVALID_PARAMS otherwise); NOT_FOUND when no device waits. Only then is it trusted and sent the account.
   */
  "pairing.confirm": { params: { accept: boolean; code?: string }; result: { accepted: boolean } }
  /** Issue 17: the pairing window and the new device waiting for confirmation, if any (a page opened late reads it here). */
  "pairing.status": { params: Record<string, never>; result: PairingStatus }
  /** `allowWeak` keeps a password the strength estimate refuses (WEAK_PASSWORD); `hint` replaces this device's hint (none: removed). */
  "account.changePassword": { params: { old: string; new: string; allowWeak?: boolean; hint?: string }; result: { keysetVersion: number } }
  /** Not in DESIGN §10's first list: reset must go through the daemon while it holds the home. */
  "account.reset": { params: { password: string; allowWeak?: boolean; hint?: string }; result: { accountKey: string; accountId: string } }
  /** Not in DESIGN §10's first list: writes the emergency kit PDF (account key as text and QR code) to an absolute path, mode 0600. */
  "account.kit": { params: { path: string }; result: { path: string } }
  /** Not in DESIGN §10's first list: the vault's health report (`lanvault audit`): weak, reused, old secrets and marked logins without TOTP; never a value. */
  audit: { params: Record<string, never>; result: AuditReport }
  "folders.add": { params: { path: string }; result: FolderInfo }
  "folders.list": { params: Record<string, never>; result: FolderInfo[] }
  "folders.remove": { params: { path: string }; result: { path: string } }
  /** `format` omitted: detected from the content. `password`/`keyFile` (absolute path): a KDBX file's. */
  import: { params: { path: string; format?: string; password?: string; keyFile?: string }; result: ImportSummary }
  /** `password`: a KDBX export's. */
  export: { params: { path: string; format: string; password?: string }; result: { exported: number; path: string; format: string } }
  subscribe: { params: { events?: Array<EventName> }; result: { subscribed: Array<EventName> } }
  /** Not in DESIGN §10's first list: backups (`lanvault backup`). */
  "backup.create": { params: Record<string, never>; result: BackupInfo }
  "backup.list": { params: Record<string, never>; result: BackupInfo[] }
  /** A vault kept from before a reset (`former-*.lvbackup`, issue 11 item 2) is brought in as new records instead: `broughtIn`. */
  "backup.restore": {
    params: { path: string; password: string; replace?: boolean }
    result: { restoredEntries: number; replaced: boolean; broughtIn?: { records: number; identical: number; unreadable: number } }
  }
  /** Not in DESIGN §10's first list: addresses to dial when multicast is blocked (`lanvault peer`). */
  "peers.add": { params: { address: string }; result: { address: string } }
  "peers.list": { params: Record<string, never>; result: Array<{ address: string; how: string; state: string; deviceId?: string; lastError?: string }> }
  "peers.remove": { params: { address: string }; result: { address: string } }
  /** Everyday use (issue 13): the one live record a QUERY names (id, unique id prefix, title or URL host); AMBIGUOUS lists the candidates. */
  "records.find": { params: { query: string }; result: VaultRecord }
  /** Live records matching every word of `query` in titles, user names, URLs, tags and notes (never secrets). */
  "records.search": { params: { query: string }; result: SearchResult[] }
  /** The current TOTP code of a record (by `id` or `query`); `field` picks one when it has several; `at` (ms) for another moment. */
  totp: { params: { id?: string; query?: string; field?: string; at?: number }; result: TotpResult }
  /** A random password, or with `words` a passphrase from the EFF long word list; needs no unlock. */
  generate: { params: GenerateParams; result: { value: string; kind: "password" | "passphrase"; entropyBits: number } }
  /** How hard `secret` is to guess (zxcvbn; `context`: words an attacker tries first, e.g. the title); never echoes the secret; needs no unlock. */
  strength: { params: { secret: string; context?: string[] }; result: StrengthReport }
  /** DESIGN §13 browser socket (`lanvault browser`): KeePassXC-Browser integration. */
  "browser.status": { params: Record<string, never>; result: BrowserStatusResult }
  "browser.enable": { params: Record<string, never>; result: BrowserStatusResult }
  "browser.disable": { params: Record<string, never>; result: BrowserStatusResult }
  /** Opens the approval window; with `wait`, answers once a browser associated (`associated` is its name) or the window closed. */
  "browser.allow": { params: { seconds?: number; wait?: boolean }; result: { until: number; associated?: string } }
  "browser.list": { params: Record<string, never>; result: Array<{ name: string; createdAt: number }> }
  "browser.revoke": { params: { name: string }; result: { name: string } }
}

/** A `records.search` hit: the summary (no secret values) and where the query matched. */
export interface SearchResult {
  record: RecordSummary
  /** "title", "tags", "notes", or field names. */
  matched: string[]
}

export interface TotpResult {
  id: string
  title: string
  field: string
  code: string
  secondsLeft: number
  period: number
  digits: number
  algorithm: string
}

/** The ranges of `generate` (part of the contract: the CLI's help shows them). */
export const GENERATE_LIMITS = {
  defaultLength: 24,
  minLength: 8,
  maxLength: 256,
  /** Six words of the EFF long list: about 77 bits. */
  defaultWords: 6,
  minWords: 3,
  maxWords: 20,
  defaultSeparator: "-",
  maxSeparatorChars: 3,
} as const

export interface GenerateParams {
  length?: number
  symbols?: boolean
  digits?: boolean
  words?: number
  separator?: string
}

export interface BrowserStatusResult {
  enabled: boolean
  listening: boolean
  /** The socket keepassxc-proxy connects to. */
  socket: string
  /** When the approval window closes (ms since epoch), if one is open. */
  allowUntil?: number
}
export type { AuditReport }

export interface BackupInfo {
  path: string
  createdAt: number
  entries: number
  bytes: number
}

export type MethodName = keyof Methods
export type ParamsOf<M extends MethodName> = Methods[M]["params"]
export type ResultOf<M extends MethodName> = Methods[M]["result"]

/** What a call of `method` with these params gives: `records.list` with a `limit` gives a page, without one the whole list. */
export type CallResult<M extends MethodName, P> = M extends "records.list" ? (P extends { limit: number } ? RecordPage : RecordSummary[]) : ResultOf<M>

/**
 * `records.list` params: the filter, and for one page a `limit` (1…100,000 records) and the
 * `cursor` the page before gave as `next`. A cursor names the last record shown (title and id),
 * not a position: records added, changed or removed meanwhile never shift the next page; a
 * record whose title moved across the cursor is shown on the page its new title falls on.
 * `rows: true`: the summaries (the list, or a page's `records`) as `{ columns, rows }` (api/summary-rows.ts).
 */
export interface ListParams extends ListFilter {
  limit?: number
  cursor?: string
  rows?: boolean
}

/** `pairing.status`: whether the window is open, and the new device waiting for a person's answer. */
export interface PairingStatus {
  open: boolean
  until?: number
  pending?: { deviceId: string; name: string; code: string; until: number }
}

/** Events a subscriber receives as `event` notifications. */
export interface Events {
  /** A record was created, edited, trashed or deleted, here or by a peer. */
  "record.changed": { id: string; origin: "local" | "remote"; deleted?: boolean }
  /** A trusted device connected. */
  "peer.connected": { deviceId: string; name?: string; address: string }
  /** A trusted device's link closed. */
  "peer.disconnected": { deviceId: string; reason?: string }
  /**
   * Progress of a long sync: `done` of `total` entries. `phase: "sync"` receiving a peer's first
   * catch-up; `phase: "serve"` serving a peer what it lacked when it connected (a new device, one back
   * after long; at most every 100 ms, and once at the end).
   */
  "sync.progress": { deviceId?: string; done: number; total: number; phase?: string }
  /** An import is committing records: `done` of `total` are in the vault (at most every 100 ms, and once at the end). */
  "import.progress": { done: number; total: number }
  /**
   * Other long work, at most every 100 ms and once at the end: an export gathering its records, an unlock
   * replaying the log past the last snapshot (`done` of `total` entries read; the last event once they are merged),
   * or a `backup.create` gathering the log's entries (the file is synced and renamed after the last).
   */
  "work.progress": { work: "export" | "unlock" | "backup"; done: number; total: number }
  /** The vault locked (by request, idle timer or shutdown). */
  locked: { reason: "request" | "idle" | "shutdown" | "reset" }
  /** A new device completed pairing through this device's window; `code` is the 6-digit code both show. */
  "device.paired": { deviceId: string; name: string; code: string }
  /** A new device proved the account key and shows `code`: ask a person here, answer with `pairing.confirm` before `until`. */
  "pairing.code": { deviceId: string; name: string; code: string; until: number }
  /** A new device was not confirmed (a "no", no answer in time, the vault locked, or it left): it received nothing secret. */
  "pairing.declined": { deviceId: string; name: string; reason: "declined" | "timeout" | "locked" | "closed" }
  /** KeePassXC-Browser asked to unlock the vault (its "triggerUnlock"): a desktop app may show its unlock prompt. */
  "browser.unlockRequested": { reason?: "triggerUnlock" }
  /** This device learnt it was revoked or that the account was reset elsewhere (see StatusResult.standing). */
  "device.standing": DeviceStanding
  /** The vault was unlocked. */
  unlocked: { records?: number }
}

export type EventName = keyof Events
export const EVENT_NAMES: readonly EventName[] = ["record.changed", "peer.connected", "peer.disconnected", "sync.progress", "import.progress", "work.progress", "locked", "unlocked", "device.paired", "pairing.code", "pairing.declined", "device.standing", "browser.unlockRequested"]

/** A notification frame: `{"jsonrpc":"2.0","method":"event","params":{"type":…,…}}`. */
export type EventParams = { [K in EventName]: { type: K } & Events[K] }[EventName]

/** Longest request line the server accepts (bytes); longer lines get MESSAGE_TOO_LARGE and the connection closes. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024
