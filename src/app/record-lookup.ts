import { AmbiguousError, LanvaultError } from "../errors.js"
import { findRecords, searchRecords } from "../merge/record-query.js"
import type { ListFilter, RecordSummary, VaultRecord } from "../merge/types.js"

/** The part of the unlocked vault a lookup reads (throws LOCKED when locked). */
export interface RecordReader {
  list(filter: ListFilter): RecordSummary[]
  get(id: string): VaultRecord
}

/** The one live record a QUERY names (else one in the trash by id): NOT_FOUND for none, AMBIGUOUS (with candidates) for several. */
export function findOne(vault: RecordReader, query: string): VaultRecord {
  let matches = findRecords(vault.list({}), query)
  if (matches.length === 0) matches = findRecords(vault.list({ trash: true }), query, { trashed: true })
  if (matches.length === 1) return vault.get(matches[0].id)
  if (matches.length === 0) {
    throw new LanvaultError("NOT_FOUND", `record "${query}" not found (no id, title or web address matches): try \`lanvault search ${query}\``)
  }
  throw new AmbiguousError(query, matches.map((record) => ({ id: record.id, title: record.title })))
}

/** Live records matching `query` in their title, fields (never secret values) or notes, with where each matched. */
export function searchVault(vault: RecordReader, query: string): Array<{ record: RecordSummary; matched: string[] }> {
  const hits = searchRecords(vault.list({}), query, (id) => vault.get(id).notes)
  return hits.map((hit) => ({ record: hit.record, matched: hit.matched }))
}
