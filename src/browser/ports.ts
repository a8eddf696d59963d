import type { ListFilter, RecordInput, RecordPatch, RecordSummary, VaultRecord } from "../merge/types.js"

/** The few vault operations the browser bridge needs (the daemon's vault service has them). */
export interface RecordAccess {
  readonly locked: boolean
  readonly accountId: string
  list(filter: ListFilter): RecordSummary[]
  get(id: string): VaultRecord
  create(input: RecordInput): Promise<string>
  update(id: string, patch: RecordPatch): Promise<VaultRecord>
  remove(id: string, permanent: boolean): Promise<void>
}

/** A login as the extension gets it from `get-logins`. */
export interface LoginEntry {
  login: string
  name: string
  password: string
  uuid: string
  group: string
  totp?: string
  expired: "false"
  skipAutoSubmit: "false"
  stringFields: never[]
}

/** What the pure protocol handler asks of the rest of the daemon. */
export interface BrowserBackend {
  readonly locked: boolean
  /** The "database hash" the extension keys its associations by. */
  databaseHash(): string
  /** The person asked the extension to unlock: the desktop's quick unlock, where there is one. */
  requestUnlock(): void
  lock(): void
  /** Whether an approval window (`lanvault browser allow`) is open. */
  approvalOpen(): boolean
  /** Stores a new association for `idKey` and closes the approval window; returns its name. */
  associate(idKey: string): Promise<string>
  /** Whether `id` names a stored association whose key is `key`. */
  isAssociated(id: string, key: string): boolean
  logins: {
    find(url: string): LoginEntry[] | undefined
    save(login: { url: string; username: string; password: string; uuid?: string }): Promise<"created" | "updated" | "refused">
    totp(uuid: string): string | undefined
  }
}
