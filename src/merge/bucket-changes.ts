import * as Automerge from "./automerge.js"
import { concatList } from "../crypto/index.js"
import { CorruptDataError, InvalidParamsError } from "../errors.js"
import { isBucket } from "./bucket.js"
import type { BucketRoot } from "./stored-record.js"
import type { BucketChange } from "./types.js"

/** Where Automerge keeps a document's hidden state (`STATE` in its constants.js). */
const AUTOMERGE_STATE = Symbol.for("_am_meta")

/** Changes grouped by bucket, in arrival order within each; throws CorruptDataError on a malformed entry. */
export function groupByBucket(changes: BucketChange[]): Map<number, Uint8Array[]> {
  if (!Array.isArray(changes)) throw new InvalidParamsError("applyChanges takes a list of bucket changes")
  const byBucket = new Map<number, Uint8Array[]>()
  for (const { bucket, change } of changes) {
    if (!isBucket(bucket)) throw new CorruptDataError(`a change names bucket ${bucket}, not a bucket number`)
    if (!(change instanceof Uint8Array)) throw new CorruptDataError("a change is not bytes")
    const list = byBucket.get(bucket)
    if (list) list.push(change)
    else byBucket.set(bucket, [change])
  }
  return byBucket
}

/** What merging into one bucket gave: its new document, and how many changes were skipped as unreadable. */
export interface BucketMerge {
  doc: Automerge.Doc<BucketRoot>
  unreadable: number
  /** Automerge's error for the first unreadable change, for the log. */
  error?: unknown
  /**
   * The changes built straight on the document and all applied: it changed in the records its
   * patches named and no other (a rebuilt view may differ elsewhere too, see rematerialize).
   */
  straight: boolean
}

/**
 * Merges changes into one bucket document, adding the ids of records whose
 * content changed to `changed`. A readable change is never dropped because
 * another one in the batch is not: on failure the batch is retried change by
 * change. `doc` must not be used afterwards; use the returned one.
 */
export function mergeIntoBucket(doc: Automerge.Doc<BucketRoot>, bytes: Uint8Array[], actor: string, changed: Set<string>): BucketMerge {
  if (isPristine(doc)) {
    // Loading the concatenated changes builds the JS view once; applying them
    // patches it change by change, ≈ 4× slower for a whole log (bench-merge.ts).
    const loaded = tryLoad(bytes, actor)
    if (loaded !== undefined) {
      forgetLastPatch(loaded)
      for (const id of Object.keys(loaded)) changed.add(id)
      return { doc: loaded, unreadable: 0, straight: false }
    }
  }
  const patchCallback = (patches: Automerge.Patch[]) => {
    for (const patch of patches) if (typeof patch.path[0] === "string") changed.add(patch.path[0])
  }
  const heads = Automerge.getHeads(doc)
  try {
    // Automerge parses every change of a call before applying any: a failed call changes nothing.
    const merged = forgetLastPatch(Automerge.applyChanges(doc, bytes, { patchCallback })[0])
    const straight = extendedStraight(heads, merged, bytes.length)
    return { doc: straight ? merged : rematerialize(merged, actor), unreadable: 0, straight }
  } catch (error) {
    let unreadable = 0
    for (const change of bytes) {
      try {
        doc = forgetLastPatch(Automerge.applyChanges(doc, [change], { patchCallback })[0])
      } catch {
        unreadable += 1
      }
    }
    return { doc: rematerialize(doc, actor), unreadable, error, straight: false }
  }
}

/**
 * Whether merging `count` changes into a document whose heads were `heads` added all of them, each
 * built on exactly the heads before it: no concurrent edit to merge. Read from the metadata of the
 * changes the document now holds past `heads` (hash and deps; decoding the changes themselves would
 * turn every op into JS, ≈ 0.05 ms an edit): a change waiting for missing dependencies, or one
 * held already, makes fewer than `count`, so the answer is no (the view is rebuilt: slower, never wrong).
 */
function extendedStraight(heads: string[], merged: Automerge.Doc<BucketRoot>, count: number): boolean {
  const added = Automerge.getChangesMetaSince(merged, heads)
  if (added.length !== count) return false
  let current = new Set(heads)
  for (const { deps, hash } of added) {
    if (deps.length !== current.size || !deps.every((dep) => current.has(dep))) return false
    current = new Set([hash])
  }
  return true
}

/**
 * The bucket rebuilt from Automerge's own state. After merging concurrent
 * changes, Automerge 3.5 can patch its JS view wrong: a value another device
 * overwrote or deleted stays visible on one device while the document (and
 * every other device) holds another (found by the convergence property test;
 * `toJS` and a fresh load are right). A straight fast-forward is patched right
 * and skips this. Not while changes wait for missing dependencies: a reload
 * would drop them; the merge that brings those in rebuilds the view then.
 */
function rematerialize(doc: Automerge.Doc<BucketRoot>, actor: string): Automerge.Doc<BucketRoot> {
  if (Automerge.getMissingDeps(doc, []).length > 0) return doc
  return forgetLastPatch(Automerge.load<BucketRoot>(Automerge.save(doc), { actor }))
}

/**
 * Drops the patches Automerge keeps from a document's last change or merge. They
 * sit on a hidden state object that every object materialized by that change
 * shares, only to speed up `Automerge.diff` (which merge/ never calls), so each
 * record kept a second copy of the patch that created it: after 10k creates,
 * over half the JS heap. Returns `doc`.
 */
export function forgetLastPatch<T>(doc: Automerge.Doc<T>): Automerge.Doc<T> {
  const state = (doc as unknown as Record<symbol, { mostRecentPatch?: unknown } | undefined>)[AUTOMERGE_STATE]
  if (state?.mostRecentPatch !== undefined) state.mostRecentPatch = undefined
  return doc
}

/** Whether a bucket has never seen a change (none applied, none waiting for dependencies). */
export function isPristine(doc: Automerge.Doc<BucketRoot>): boolean {
  return Automerge.getHeads(doc).length === 0 && Automerge.getMissingDeps(doc, []).length === 0
}

/** A bucket built from concatenated changes, or undefined if they do not load on their own. */
function tryLoad(bytes: Uint8Array[], actor: string): Automerge.Doc<BucketRoot> | undefined {
  try {
    return Automerge.load<BucketRoot>(concatList(bytes), { actor })
  } catch {
    // Unreadable bytes, or changes whose dependencies are not among them: applyChanges copes with both.
    return undefined
  }
}

