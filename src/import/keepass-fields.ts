/** The KeePass field names lanvault maps, and the CustomData item that carries what KeePass has no place for. */
import type { FieldKind } from "../merge/types.js"

/** KeePass's standard fields (besides Title and Notes) and the lanvault field each is. */
export const KEEPASS_FIELDS = new Map<string, readonly [name: string, kind: FieldKind]>([
  ["UserName", ["username", "text"]],
  ["Password", ["password", "secret"]],
  ["URL", ["url", "url"]],
])

/** KeePass field names a lanvault field may not take as they are. */
export const RESERVED_KEEPASS_FIELDS = new Set(["Title", "UserName", "Password", "URL", "Notes", "otp"])

/** The entry CustomData key of a lanvault export (KDBX 4 only). */
export const LANVAULT_META_KEY = "lanvault"

/** What the CustomData item holds: the record's type, favourite flag, and each KeePass field's lanvault name and kind. */
export interface LanvaultEntryMeta {
  type?: string
  favorite?: boolean
  fields?: Record<string, [name: string, kind: FieldKind]>
  /** The name of the totp field when it is not "totp". */
  totpName?: string
  /** The totp value as lanvault held it, when it was a bare secret that the export turned into an otpauth URI. */
  totpRaw?: string
}
