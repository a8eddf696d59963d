import type { FieldValue, VaultRecord } from "../merge/types.js"
import type { LoginEntry, RecordAccess } from "./ports.js"
import { totpCode } from "../credentials/index.js"
import { entryMatchesSite, parseEntryUrl, parseSiteUrl, type SiteOrigin } from "./url-match.js"

/** The group every login is shown in (lanvault has tags, not groups). */
export const LOGIN_GROUP = "lanvault"
const USERNAME_FIELDS = ["username", "login", "email", "user"]
const PASSWORD_FIELDS = ["password", "pass"]

/**
 * Logins of the vault as the extension sees them: found by the page's URL
 * (url-match.ts decides), saved from a form, and TOTP codes. Records in the
 * trash and records without a password are never offered.
 */
export class VaultLogins {
  constructor(private readonly records: RecordAccess, private readonly now: () => number = Date.now) {}

  /** Logins for the page, best match first; undefined when the URL is not an http(s) page. */
  find(url: string): LoginEntry[] | undefined {
    const site = parseSiteUrl(url)
    if (site === undefined) return undefined
    return this.matching(site).map((record) => this.entryOf(record))
  }

  /** Saves a login from a form: updates `uuid` if it is a login for this site, else creates one. */
  async save(login: { url: string; username: string; password: string; uuid?: string }): Promise<"created" | "updated" | "refused"> {
    const site = parseSiteUrl(login.url)
    if (site === undefined) return "refused"
    if (login.uuid !== undefined) {
      const record = this.matching(site).find((r) => r.id === login.uuid)
      if (record === undefined) return "refused"
      const fields: Record<string, FieldValue> = {
        [fieldName(record, USERNAME_FIELDS) ?? "username"]: { value: login.username, kind: "text" },
        [fieldName(record, PASSWORD_FIELDS) ?? "password"]: { value: login.password, kind: "secret" },
      }
      await this.records.update(record.id, { set: { fields } })
      return "updated"
    }
    const url = new URL(login.url)
    await this.records.create({
      type: "login",
      title: site.host,
      fields: {
        username: { value: login.username, kind: "text" },
        password: { value: login.password, kind: "secret" },
        url: { value: url.origin, kind: "url" },
      },
    })
    return "created"
  }

  /** The current code of a record's `totp` field, or undefined. */
  totp(uuid: string): string | undefined {
    const record = this.readable(uuid)
    const field = record === undefined ? undefined : Object.entries(record.fields).find(([, f]) => f.kind === "totp")
    return field === undefined ? undefined : totpNow(field[1].value, this.now())
  }

  private matching(site: SiteOrigin): VaultRecord[] {
    const found: Array<{ record: VaultRecord; closeness: number }> = []
    for (const summary of this.records.list({})) {
      const origins = urlsOf(summary.fields).map(parseEntryUrl).filter((o): o is SiteOrigin => o !== undefined)
      const hits = origins.filter((origin) => entryMatchesSite(origin, site))
      if (hits.length === 0) continue
      const record = this.readable(summary.id)
      if (record === undefined || fieldName(record, PASSWORD_FIELDS) === undefined) continue
      // The most specific host first: the page's own, then nearer parents.
      found.push({ record, closeness: Math.max(...hits.map((h) => h.host.length)) })
    }
    return found.sort((a, b) => b.closeness - a.closeness).map((f) => f.record)
  }

  private readable(id: string): VaultRecord | undefined {
    try {
      const record = this.records.get(id)
      return record.trashed ? undefined : record
    } catch {
      return undefined
    }
  }

  private entryOf(record: VaultRecord): LoginEntry {
    const username = fieldName(record, USERNAME_FIELDS)
    const password = fieldName(record, PASSWORD_FIELDS)
    const totpField = Object.values(record.fields).find((f) => f.kind === "totp")
    const entry: LoginEntry = {
      login: username === undefined ? "" : record.fields[username].value,
      name: record.title,
      password: password === undefined ? "" : record.fields[password].value,
      uuid: record.id,
      group: LOGIN_GROUP,
      expired: "false",
      skipAutoSubmit: "false",
      stringFields: [],
    }
    const code = totpField === undefined ? undefined : totpNow(totpField.value, this.now())
    if (code !== undefined) entry.totp = code
    return entry
  }
}

/** The values of a record's URL fields (kind `url`, or named `url`, `url2`…). */
function urlsOf(fields: Record<string, { kind: string; value?: string }>): string[] {
  return Object.entries(fields)
    .filter(([name, field]) => field.kind === "url" || /^(url|website)\d*$/i.test(name))
    .map(([, field]) => field.value ?? "")
    .filter((value) => value !== "")
}

/** The first of `names` the record has (case-insensitive), by its own spelling. */
function fieldName(record: VaultRecord, names: string[]): string | undefined {
  const own = Object.keys(record.fields)
  for (const name of names) {
    const hit = own.find((n) => n.toLowerCase() === name && record.fields[n].value !== "")
    if (hit !== undefined) return hit
  }
  return undefined
}

/** The current code of a TOTP seed, or undefined for a seed that does not parse. */
function totpNow(seed: string, atMs: number): string | undefined {
  try {
    return totpCode(seed, atMs).code
  } catch {
    return undefined
  }
}
