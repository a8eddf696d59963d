/**
 * Readies the daemon's thread to write buckets while an import's file is still
 * being read on the worker (the daemon's thread is idle then): the first bucket
 * it wrote, cold (Automerge's wasm and its JS glue not yet compiled and warmed),
 * held the event loop 120-210 ms on a busy machine, where a warm one takes
 * 20-30 ms; a status call waiting behind it broke the import's p99. Here the
 * same code runs on tiny throwaway buckets, one per turn of the event loop,
 * until the file is read.
 */
import { setImmediate as nextTurn } from "node:timers/promises"
import type { RecordInput } from "../merge/types.js"

/** Throwaway buckets written at most (≈ 2-5 ms each once warm). */
const MAX_ROUNDS = 40
const RECORDS_PER_ROUND = 8
/** A throwaway document's actor: it is never kept, saved or sent. */
const WARM_ACTOR = "0".repeat(32)
/** A bucket number the throwaway ids name (nothing is installed). */
const WARM_BUCKET = 0

/** Writes throwaway buckets, one per turn, until `until` settles or MAX_ROUNDS; never throws. */
export async function warmBucketWriter(until: Promise<unknown>): Promise<void> {
  let settled = false
  until.then(() => (settled = true), () => (settled = true))
  try {
    const [{ fillNewBucket, warmAutomerge }, { newRecordIds }] = await Promise.all([import("../merge/bucket-fill.js"), import("../merge/bucket.js")])
    await nextTurn()
    await warmAutomerge(WARM_ACTOR, nextTurn)
    for (let round = 0; round < MAX_ROUNDS && !settled; round++) {
      await nextTurn()
      // The first round writes one record: its first run still compiles much of Automerge's code.
      const inputs = Array.from({ length: round === 0 ? 1 : RECORDS_PER_ROUND }, (_, i) => sample(round, i))
      const ids = newRecordIds(inputs.map(() => WARM_BUCKET))
      fillNewBucket(WARM_ACTOR, inputs.map((input, i) => ({ id: ids[i], input })), Date.now())
    }
  } catch {
    // Only a warm-up (the vault may have locked meanwhile): the import itself says what went wrong.
  }
}

/** A login like those an import brings (every kind of value a bucket write converts). */
function sample(round: number, i: number): RecordInput {
  return {
    type: "login",
    title: `warm ${round}.${i}`,
    fields: { username: { value: `user${i}`, kind: "text" }, password: { value: `pw-${round}-${i}`, kind: "secret" }, url: { value: `https://${i}.example`, kind: "url" } },
    notes: i % 4 === 0 ? `note ${i}` : "",
    tags: i % 2 === 0 ? ["warm"] : [],
  }
}
