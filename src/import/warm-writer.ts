/**
 * Readies the daemon's thread to write buckets while an import's file is still
 * being read on the worker (the daemon's thread is idle then): the first bucket
 * it wrote, cold (Automerge's wasm and its JS glue not yet compiled and warmed),
 * held the event loop 120-210 ms on a busy machine, where a warm one takes
 * 20-30 ms; a status call waiting behind it broke the import's p99. Here the
 * same code runs on tiny throwaway buckets, one per turn of the event loop,
 * until the file is read; not again for the next import of the same Automerge
 * instance (an unlocked session's) once it wrote WARM_ROUNDS of them.
 */
import { setImmediate as nextTurn } from "node:timers/promises"
import type { RecordInput } from "../merge/types.js"

/** Throwaway buckets written at most (≈ 2-5 ms each once warm). */
const MAX_ROUNDS = 40
/** Throwaway buckets after which an instance is warm: its first few compile Automerge's code, the next cost what a warm one does. */
const WARM_ROUNDS = 10
const RECORDS_PER_ROUND = 8
/** A throwaway document's actor: it is never kept, saved or sent. */
const WARM_ACTOR = "0".repeat(32)
/** A bucket number the throwaway ids name (nothing is installed). */
const WARM_BUCKET = 0

/** Throwaway buckets written so far on an Automerge instance (automergeInstance), by the warm-ups of its imports. */
const written = { instance: -1, rounds: 0 }

/** Writes throwaway buckets, one per turn, until `until` settles or MAX_ROUNDS, unless this thread is warm already; never throws. */
export async function warmBucketWriter(until: Promise<unknown>): Promise<void> {
  let settled = false
  until.then(() => (settled = true), () => (settled = true))
  try {
    const [{ fillNewBucket, warmAutomerge }, { newRecordIds }, { automergeInstance }] = await Promise.all([
      import("../merge/bucket-fill.js"), import("../merge/bucket.js"), import("../merge/automerge.js"),
    ])
    if (written.instance !== automergeInstance()) Object.assign(written, { instance: automergeInstance(), rounds: 0 })
    if (written.rounds >= WARM_ROUNDS) return
    await nextTurn()
    await warmAutomerge(WARM_ACTOR, nextTurn)
    for (let round = 0; round < MAX_ROUNDS && !settled; round++) {
      await nextTurn()
      // The first round writes one record: its first run still compiles much of Automerge's code.
      const inputs = Array.from({ length: round === 0 ? 1 : RECORDS_PER_ROUND }, (_, i) => sample(round, i))
      const ids = newRecordIds(inputs.map(() => WARM_BUCKET))
      const instance = automergeInstance()
      fillNewBucket(WARM_ACTOR, inputs.map((input, i) => ({ id: ids[i], input })), Date.now())
      if (written.instance === instance) written.rounds++
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
