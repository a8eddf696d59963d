/**
 * An import on its worker thread (parse-worker.ts; the daemon's side is
 * import-session.ts): reads and checks the file, says how many records it
 * holds, waits for the vault's plan, then writes the planned groups one at a
 * time, never more than GROUPS_AHEAD ahead of what the daemon has done with.
 * When the daemon is about to be idle (HAND_OVER_BELOW), the next fresh bucket
 * goes to it as inputs, to write itself: the two threads share the Automerge
 * work, the bulk of an import's CPU, on a machine with two cores.
 */
import type { MessagePort } from "node:worker_threads"
import type { FilledGroup, FillPlan } from "../merge/bucket-fill.js"
import type { FromImportWorker, ToWorker, TransferJob } from "./off-thread.js"
import type { ReadImportResult } from "./parse-import.js"
import { failureReply, runTransferJob } from "./transfer-job.js"

/**
 * Groups sent and not yet done with by the daemon, at most (a group is ≈ 128
 * records: tens of KB): more than a commit's worth (vault/bulk-fill.ts), so the
 * worker goes on writing while the daemon commits (4 had it wait at each fsync).
 */
const GROUPS_AHEAD = 16
/**
 * The next fresh bucket goes to the daemon's thread, as inputs to write itself,
 * while it has at most this many groups in hand (it takes a written one in at
 * once, and commits every few). With 0 (only when it had none) it wrote a
 * quarter of them and the worker three quarters plus the parse (50k rows:
 * worker 3.6-4.2 s of CPU, daemon 1.6 s, so the worker was the longer path);
 * with 3, 3.0 and 2.0 s.
 */
const HAND_OVER_BELOW = 3

/** Serves one import job on `port`; never throws (a failure is a reply). */
export async function serveImport(port: MessagePort, job: Extract<TransferJob, { op: "import" }>): Promise<void> {
  const post = (message: FromImportWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer)
  const reply = await runTransferJob(job)
  if (!reply.ok) return post(reply)
  const { records, ...summary } = reply.value as ReadImportResult
  let done = 0
  let wake: (() => void) | undefined
  const plan = new Promise<FillPlan>((resolve) => {
    port.on("message", (message: ToWorker) => {
      if (message === "next") {
        done++
        wake?.()
      } else if (typeof message === "object" && "plan" in message) resolve(message.plan)
    })
  })
  // Automerge loads while the daemon plans the ids.
  const writer = import("../merge/bucket-fill.js")
  writer.catch(() => undefined)
  post({ parsed: { ...summary, count: records.length } })
  try {
    const { fillGroups } = await writer
    let sent = 0
    const groups = fillGroups(records, await plan, () => sent - done <= HAND_OVER_BELOW)
    for (;;) {
      while (sent - done >= GROUPS_AHEAD) await new Promise<void>((resolve) => (wake = resolve))
      const next = groups.next()
      if (next.done === true) break
      post({ group: next.value }, movable(next.value))
      sent++
      // The daemon's "next"s are read between two groups.
      await new Promise((resolve) => setImmediate(resolve))
    }
    post({ written: true })
  } catch (error) {
    post(failureReply(error))
  }
}

/** The buffers of a written bucket that can be moved rather than copied (each its own whole buffer, once). */
function movable(group: FilledGroup): ArrayBuffer[] {
  if (group.filled === undefined) return []
  const buffers = new Set<ArrayBuffer>()
  for (const bytes of [group.filled.change, group.filled.saved, group.filled.encodedSummaries]) {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    if (whole) buffers.add(bytes.buffer as ArrayBuffer)
  }
  return [...buffers]
}
