/**
 * The heavy half of import and export, as a message in and a message out so it
 * can run on a worker thread (parse-worker.ts) or, where no compiled worker
 * exists (tests run from the sources), in the calling thread. Errors travel as
 * their code, message and data (off-thread.ts makes them a LanvaultError again).
 */
import { LanvaultError } from "../errors.js"
import { checkRecordInput } from "../merge/validate.js"
import { renderExport } from "./export-records.js"
import { readImport } from "./parse-import.js"
import { streamImport } from "./stream-import.js"
import { readRegularFile } from "./transfer-files.js"
import type { TransferJob, TransferReply } from "./off-thread.js"

/** Runs one job; never throws (a failure is a reply). */
export async function runTransferJob(job: TransferJob): Promise<TransferReply> {
  try {
    if (job.op === "export") return { ok: true, value: await renderExport(job.records, job.format, { password: job.password }) }
    const options = { existing: job.existing, password: job.password, keyFile: job.keyFile }
    const read = await streamImport(job.path, job.format, options) ?? await readImport(await readRegularFile(job.path, "import file"), job.format, options)
    // Checked here, all before any is created: the vault then takes them as they are (vault/bulk-fill.ts).
    for (const record of read.records) checkRecordInput(record)
    return { ok: true, value: read }
  } catch (error) {
    return failureReply(error)
  }
}

/** A failure as a reply (plain data: it crosses a thread). */
export function failureReply(error: unknown): Extract<TransferReply, { ok: false }> {
  if (error instanceof LanvaultError) return { ok: false, error: { code: error.code, message: error.message, data: error.data } }
  return { ok: false, error: { code: "INTERNAL", message: `import/export failed: ${error instanceof Error ? error.message : String(error)}` } }
}
