/**
 * Records as the chaos tests compare them: what a user can see of a record
 * (type, title, fields, notes, tags, trash) in a canonical form, and reading a
 * whole vault (every record, trashed ones included) through the socket API.
 */
import type { LanvaultClient } from "../../../src/api/client.js"
import type { FieldValue, RecordInput, VaultRecord } from "../../../src/merge/types.js"

/** The visible state of a record; `undefined` = absent. */
export interface RecordState {
  type: string
  title: string
  fields: Record<string, FieldValue>
  notes: string
  tags: string[]
  trashed: boolean
}

export function stateOf(record: VaultRecord): RecordState {
  return canonical({ type: record.type, title: record.title, fields: record.fields, notes: record.notes, tags: record.tags, trashed: record.trashed })
}

export function stateOfInput(input: RecordInput): RecordState {
  return canonical({ type: input.type, title: input.title, fields: input.fields ?? {}, notes: input.notes ?? "", tags: input.tags ?? [], trashed: false })
}

export function canonical(state: RecordState): RecordState {
  const fields: Record<string, FieldValue> = {}
  for (const name of Object.keys(state.fields).sort()) fields[name] = { value: state.fields[name].value, kind: state.fields[name].kind }
  return { type: state.type, title: state.title, fields, notes: state.notes, tags: [...state.tags], trashed: state.trashed }
}

export function sameState(a: RecordState | undefined, b: RecordState | undefined): boolean {
  return JSON.stringify(a === undefined ? null : canonical(a)) === JSON.stringify(b === undefined ? null : canonical(b))
}

/** Every record of the vault (trash included), fully read with records.get. */
export async function readVault(client: LanvaultClient): Promise<Map<string, VaultRecord>> {
  const summaries = [...(await client.call("records.list", {})), ...(await client.call("records.list", { trash: true }))]
  const out = new Map<string, VaultRecord>()
  const ids = [...new Set(summaries.map((s) => s.id))]
  // A few calls in flight at once: thousands of records read in seconds, the daemon not flooded.
  const CONCURRENT_GETS = 16
  for (let i = 0; i < ids.length; i += CONCURRENT_GETS) {
    const batch = ids.slice(i, i + CONCURRENT_GETS)
    const records = await Promise.all(batch.map((id) => client.call("records.get", { id })))
    for (const record of records) out.set(record.id, record)
  }
  return out
}

/** A short, readable description of a state for failure messages (secret values shown: test data only). */
export function describeState(state: RecordState | undefined): string {
  return state === undefined ? "(absent)" : JSON.stringify(state)
}

/** JSON with every object's keys sorted (arrays keep their order): equal data, equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  })
}
