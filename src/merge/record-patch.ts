import * as Automerge from "./automerge.js"
import { ImmutableString } from "./automerge.js"
import { writeRegister } from "./history.js"
import { plain, tagPositions, TITLE_FIELD, type BucketRoot, type StoredRecord } from "./stored-record.js"
import type { RecordPatch } from "./types.js"

/**
 * Applies a validated patch to the record `id` of a bucket, inside a change
 * callback. Each part is written only if it differs, so an edit touches only
 * what it changes and concurrent edits of other parts merge. Returns whether
 * anything was written (then `updatedAt` is bumped too).
 */
export function applyPatch(root: BucketRoot, id: string, patch: RecordPatch, now: number): boolean {
  const record = root[id]
  const set = patch.set ?? {}
  let changed = false
  if (set.type !== undefined && plain(record.type) !== set.type) {
    record.type = new ImmutableString(set.type)
    changed = true
  }
  if (set.title !== undefined) {
    const slot = { root, parent: record as unknown as Record<string, unknown>, key: "title", label: TITLE_FIELD, history: record.history }
    changed = writeRegister(slot, { value: set.title, kind: "text" }, now) || changed
  }
  if (set.notes !== undefined && record.notes !== set.notes) {
    // updateText writes a character diff, so concurrent note edits interleave instead of one replacing the other.
    Automerge.updateText(root, [id, "notes"], set.notes)
    changed = true
  }
  if (set.tags !== undefined) changed = writeTags(record, set.tags) || changed
  changed = writeFlag(record, "favorite", set.favorite) || changed
  changed = writeFlag(record, "trashed", set.trashed) || changed
  changed = writeFields(root, record, patch, now) || changed
  if (changed) record.updatedAt = now
  return changed
}

function writeFields(root: BucketRoot, record: StoredRecord, patch: RecordPatch, now: number): boolean {
  let changed = false
  const slot = (key: string) => ({ root, parent: record.fields, key, label: key, history: record.history })
  for (const [name, field] of Object.entries(patch.set?.fields ?? {})) changed = writeRegister(slot(name), field, now) || changed
  for (const name of patch.unset ?? []) changed = writeRegister(slot(name), undefined, now) || changed
  return changed
}

function writeFlag(record: StoredRecord, key: "favorite" | "trashed", next: boolean | undefined): boolean {
  if (next === undefined || record[key] === next) return false
  record[key] = next
  return true
}

/** Sets the tag list: removed tags deleted, kept or added ones given their new position. */
function writeTags(record: StoredRecord, tags: readonly string[]): boolean {
  const next = tagPositions(tags)
  let changed = false
  for (const tag of Object.keys(record.tags)) {
    if (!Object.hasOwn(next, tag)) {
      delete record.tags[tag]
      changed = true
    }
  }
  for (const [tag, position] of Object.entries(next)) {
    if (record.tags[tag] !== position) {
      record.tags[tag] = position
      changed = true
    }
  }
  return changed
}
