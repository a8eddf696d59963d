/**
 * Runs a TransferJob on a worker thread of its own, ended when it answers: the
 * daemon keeps serving the socket while a big file is read and parsed, and the
 * parsers' memory goes with the worker. From the TypeScript sources (tests) no
 * compiled worker exists: then the job runs in this thread. An import talks
 * with its worker longer (import-session.ts); the messages of both are here.
 */
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { setImmediate as nextTurn } from "node:timers"
import { Worker } from "node:worker_threads"
import { isErrorCode, LanvaultError } from "../errors.js"
import type { FilledGroup, FillPlan } from "../merge/bucket-fill.js"
import type { ReadImportResult } from "./parse-import.js"
import type { ExistingRecord, ExportFormat, ExportRecord } from "./types.js"

/** One import (read + parse + dedupe) or one export (render). */
export type TransferJob =
  | { op: "import"; path: string; format?: string; password?: string; keyFile?: Uint8Array; existing: ExistingRecord[] }
  | { op: "export"; records: ExportRecord[]; format: ExportFormat; password?: string }

/**
 * What the daemon posts to the worker: the job, then for an export (sent with no
 * records and `incoming`) its records in batches and the end (one message of
 * 50k records held the event loop ≈ 300 ms while it was copied); for an import,
 * the plan of its records' buckets, and "next" for each group it took.
 */
export type ToWorker = TransferJob & { incoming?: true } | { records: ExportRecord[] } | { end: true } | { plan: FillPlan } | "next"

/** What an import read, its records left out (they stay in the worker). */
export type ReadImportReport = Omit<ReadImportResult, "records">

/**
 * What an import's worker posts: what it read (or its failure), then, once
 * given a plan, each group of records written, in order, and the end (or a failure).
 */
export type FromImportWorker = { parsed: ReadImportReport & { count: number } } | { group: FilledGroup } | { written: true } | Extract<TransferReply, { ok: false }>

/** What the job answers: a value, or an error as plain data (it crosses a thread). */
export type TransferReply =
  | { ok: true; value: ReadImportResult | string | Uint8Array }
  | { ok: false; error: { code: string; message: string; data?: Record<string, unknown> } }

/** An export's records cross to the worker this many at a time: taking in one batch holds the event loop a few ms, not the whole file's. */
const RECORDS_PER_BATCH = 1_000

/** The compiled worker's entry (absent when running from the TypeScript sources). */
export const WORKER_URL = new URL("./parse-worker.js", import.meta.url)
/** The worker's own heap: a 256 MiB file and what it parses into fit; a runaway parse ends the worker, not the daemon. */
const WORKER_MAX_OLD_GENERATION_MB = 1_024
/**
 * kdbxweb builds the whole XML document of a KDBX file before writing it: about
 * 26 KiB of heap per entry (measured: 336 MiB at 10k, 599 MiB at 20k), so 50k
 * records did not fit the fixed limit. A KDBX export's worker may use this much
 * per record beyond a base (it ends with the export).
 */
const KDBX_EXPORT_BASE_MB = 256
const KDBX_EXPORT_MB_PER_RECORD = 1 / 32

/** Whether the compiled worker exists (not when running from the TypeScript sources). */
export function haveWorker(): boolean {
  return existsSync(fileURLToPath(WORKER_URL))
}

/** Runs an export off the event loop; resolves with its bytes or rejects with its LanvaultError. */
export async function runOffThread(job: Extract<TransferJob, { op: "export" }>): Promise<string | Uint8Array> {
  if (!haveWorker()) {
    const { runTransferJob } = await import("./transfer-job.js")
    return unwrapReply(await runTransferJob(job)) as string | Uint8Array
  }
  const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: workerHeapLimitMb(job) } })
  try {
    const reply = await new Promise<TransferReply>((resolve, reject) => {
      worker.once("message", resolve)
      worker.once("error", reject)
      worker.once("exit", (code) => reject(new LanvaultError("INTERNAL", `the import/export worker exited (${code}) before answering`)))
      postExport(worker, job).catch(reject)
    })
    return unwrapReply(reply) as string | Uint8Array
  } catch (error) {
    if (error instanceof LanvaultError) throw error
    throw new LanvaultError("INTERNAL", `the import/export worker failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  } finally {
    await worker.terminate()
  }
}

/** Posts an export job, then its records RECORDS_PER_BATCH at a time with a turn of the event loop between two. */
async function postExport(worker: Worker, job: Extract<TransferJob, { op: "export" }>): Promise<void> {
  worker.postMessage({ ...job, records: [], incoming: true } satisfies ToWorker)
  for (let from = 0; from < job.records.length; from += RECORDS_PER_BATCH) {
    await new Promise((resolve) => nextTurn(resolve))
    worker.postMessage({ records: job.records.slice(from, from + RECORDS_PER_BATCH) } satisfies ToWorker)
  }
  worker.postMessage({ end: true } satisfies ToWorker)
}

/** The worker's old-generation limit for `job` (a KDBX export grows with its records). */
export function workerHeapLimitMb(job: TransferJob): number {
  if (job.op !== "export" || job.format !== "kdbx") return WORKER_MAX_OLD_GENERATION_MB
  return Math.max(WORKER_MAX_OLD_GENERATION_MB, Math.ceil(KDBX_EXPORT_BASE_MB + job.records.length * KDBX_EXPORT_MB_PER_RECORD))
}

/** The reply's value, or its error thrown again as a LanvaultError. */
export function unwrapReply(reply: TransferReply): ReadImportResult | string | Uint8Array {
  if (reply.ok) return reply.value
  const code = isErrorCode(reply.error.code) ? reply.error.code : "INTERNAL"
  throw new LanvaultError(code, reply.error.message, reply.error.data === undefined ? undefined : { data: reply.error.data })
}
