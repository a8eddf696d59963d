import { randomBytes, timingSafeEqual } from "node:crypto"
import { NotFoundError } from "../errors.js"
import type { RecordAccess } from "./ports.js"

/** The reserved record type that holds one browser association (encrypted like every record, synced). */
export const ASSOCIATION_TYPE = "browser-association"
const KEY_FIELD = "idKey"
const NAME_PREFIX = "browser-"
const NAME_RANDOM_BYTES = 3

/** An association as `lanvault browser list` shows it (never its key). */
export interface AssociationInfo {
  name: string
  createdAt: number
}

/**
 * The browsers a person approved: each is a record of the reserved type
 * `browser-association`, titled with its name, whose secret field `idKey` is
 * the extension's identification key (the protocol uses it as a bearer
 * credential, so it lives encrypted in the vault and is compared in constant time).
 */
export class AssociationBook {
  constructor(private readonly records: RecordAccess) {}

  list(): AssociationInfo[] {
    return this.records
      .list({ type: ASSOCIATION_TYPE })
      .map((summary) => ({ name: summary.title, createdAt: summary.createdAt }))
      .sort((a, b) => a.createdAt - b.createdAt)
  }

  /** Stores `idKey` under a new name and returns the name. */
  async add(idKey: string): Promise<string> {
    const taken = new Set(this.list().map((a) => a.name))
    let name: string
    do name = NAME_PREFIX + randomBytes(NAME_RANDOM_BYTES).toString("hex")
    while (taken.has(name))
    await this.records.create({ type: ASSOCIATION_TYPE, title: name, fields: { [KEY_FIELD]: { value: idKey, kind: "secret" } } })
    return name
  }

  /** Whether `name` is stored with exactly this key. */
  matches(name: string, key: string): boolean {
    const wanted = Buffer.from(key)
    let found = false
    for (const id of this.idsOf(name)) {
      const stored = Buffer.from(this.records.get(id).fields[KEY_FIELD]?.value ?? "")
      if (stored.length === wanted.length && timingSafeEqual(stored, wanted)) found = true
    }
    return found
  }

  /** Removes every association called `name` (permanently: a revoked key must not come back from the trash). */
  async revoke(name: string): Promise<void> {
    const ids = this.idsOf(name)
    if (ids.length === 0) throw new NotFoundError(`browser association ${name}`)
    for (const id of ids) await this.records.remove(id, true)
  }

  private idsOf(name: string): string[] {
    return this.records
      .list({ type: ASSOCIATION_TYPE })
      .filter((summary) => summary.title === name)
      .map((summary) => summary.id)
  }
}
