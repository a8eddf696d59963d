/**
 * An import read on a worker thread of its own (issue 18): the worker reads,
 * parses and checks the whole file first (a malformed file changes nothing),
 * keeps the records and says how many; the vault then plans their ids and
 * buckets, and the worker writes each new bucket whole (Automerge, the bulk of
 * an import's CPU) and sends it over, a few ahead of the vault at most, or hands
 * it over to the vault's thread when that one has nothing left to do
 * (import-serve.ts). From the TypeScript sources (tests) no compiled worker
 * exists: then all of it runs in this thread.
 */
import { Worker } from "node:worker_threads"
import { LanvaultError } from "../errors.js"
import type { FilledGroup, FilledSource, FillPlan } from "../merge/bucket-fill.js"
import { haveWorker, unwrapReply, WORKER_URL, workerHeapLimitMb, type FromImportWorker, type ReadImportReport, type ToWorker, type TransferJob } from "./off-thread.js"
import type { ReadImportResult } from "./parse-import.js"

type ImportJob = Extract<TransferJob, { op: "import" }>

/**
 * The worker's young generation: it lives through the whole import now, and
 * V8's default let it grow to 32 MiB of pages (the daemon's peak RSS during a
 * 50k import 265-275 MiB; with this, 245-251, for ≈ 4 % more CPU).
 */
const YOUNG_GENERATION_MB = 8

/** An import read and checked, its records waiting to be written under the vault's plan. */
export interface ReadImport extends FilledSource {
  readonly summary: ReadImportReport
  /** Ends the worker (and drops the records); idempotent. */
  close(): Promise<void>
}

/** Reads and checks the file of `job`; rejects with its LanvaultError (then nothing is left running). */
export async function openImport(job: ImportJob): Promise<ReadImport> {
  return haveWorker() ? WorkerImport.open(job) : openInThread(job)
}

/** The in-thread import (no compiled worker): the same steps, called directly. */
async function openInThread(job: ImportJob): Promise<ReadImport> {
  const { runTransferJob } = await import("./transfer-job.js")
  const { records, ...summary } = unwrapReply(await runTransferJob(job)) as ReadImportResult
  const left: Array<(typeof records)[number] | undefined> = records
  return {
    summary,
    count: records.length,
    async *fill(plan: FillPlan): AsyncGenerator<FilledGroup> {
      const { fillGroups } = await import("../merge/bucket-fill.js")
      yield* fillGroups(left, plan)
    },
    close: async () => {
      left.length = 0
    },
  }
}

/** The worker's side of the conversation, seen from the daemon. */
class WorkerImport implements ReadImport {
  private constructor(
    private readonly worker: Worker,
    private readonly next: () => Promise<FromImportWorker>,
    readonly count: number,
    readonly summary: ReadImportReport,
  ) {}

  static async open(job: ImportJob): Promise<WorkerImport> {
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: workerHeapLimitMb(job), maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } })
    const next = inbox(worker)
    try {
      worker.postMessage(job satisfies ToWorker)
      const first = await next()
      if (!("parsed" in first)) throw unexpected(first)
      const { count, ...summary } = first.parsed
      return new WorkerImport(worker, next, count, summary)
    } catch (error) {
      await worker.terminate()
      throw error
    }
  }

  async *fill(plan: FillPlan): AsyncGenerator<FilledGroup> {
    this.worker.postMessage({ plan } satisfies ToWorker)
    for (;;) {
      const message = await this.next()
      if ("written" in message) return
      if (!("group" in message)) throw unexpected(message)
      yield message.group
      // Asked for the next: the vault has done with this one (the worker may write one more ahead).
      this.worker.postMessage("next" satisfies ToWorker)
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}

/** The worker's messages one at a time; rejects once it failed or exited. */
function inbox(worker: Worker): () => Promise<FromImportWorker> {
  const queue: FromImportWorker[] = []
  let waiting: { resolve: (message: FromImportWorker) => void; reject: (error: unknown) => void } | undefined
  let failure: LanvaultError | undefined
  const fail = (error: LanvaultError) => {
    failure ??= error
    waiting?.reject(failure)
    waiting = undefined
  }
  worker.on("message", (message: FromImportWorker) => {
    if (waiting === undefined) return void queue.push(message)
    waiting.resolve(message)
    waiting = undefined
  })
  worker.once("error", (error) => fail(new LanvaultError("INTERNAL", `the import worker failed: ${error.message}`, { cause: error })))
  worker.once("exit", (code) => fail(new LanvaultError("INTERNAL", `the import worker exited (${code}) before it was done`)))
  return () => {
    if (queue.length > 0) return Promise.resolve(queue.shift()!)
    if (failure !== undefined) return Promise.reject(failure)
    return new Promise((resolve, reject) => (waiting = { resolve, reject }))
  }
}

/** The error a worker's failure reply carries, or INTERNAL for a message out of turn. */
function unexpected(message: FromImportWorker): LanvaultError {
  if ("ok" in message) {
    try {
      unwrapReply(message)
    } catch (error) {
      if (error instanceof LanvaultError) return error
    }
  }
  return new LanvaultError("INTERNAL", "the import worker answered out of turn")
}
