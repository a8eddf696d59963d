/**
 * The entry of the worker thread that reads and parses an import file, or
 * renders an export, away from the daemon's event loop (issue 18: the socket is
 * never deaf). It also keeps the parsers (kdbxweb, fast-xml-parser, csv-*) out
 * of the daemon's memory: they live and die with the worker. One request in;
 * an import's records go out in batches, each sent once the daemon asked for
 * the next (so it never has more than one to take in at a time), then the reply.
 */
import { parentPort } from "node:worker_threads"
import { RECORDS_PER_BATCH, type ToWorker, type TransferJob } from "./off-thread.js"
import type { ReadImportResult } from "./parse-import.js"
import type { ExportRecord } from "./types.js"
import { runTransferJob } from "./transfer-job.js"

if (parentPort === null) throw new Error("parse-worker.js runs only as a worker thread")
const port = parentPort
port.once("message", (job: TransferJob & { incoming?: true }) => {
  void gathered(job).then(runTransferJob).then(async (reply) => {
    if (reply.ok && job.op === "import") {
      const { records, ...rest } = reply.value as ReadImportResult
      for (let from = 0; from < records.length; from += RECORDS_PER_BATCH) {
        const asked = new Promise((resolve) => port.once("message", resolve))
        port.postMessage({ batch: records.slice(from, from + RECORDS_PER_BATCH) })
        await asked
      }
      port.postMessage({ ok: true, value: { ...rest, records: [] } })
      return
    }
    // An export's text goes back as UTF-8 bytes, moved rather than copied: the daemon writes them as they are.
    if (reply.ok && typeof reply.value === "string") reply.value = new TextEncoder().encode(reply.value)
    const transfer = reply.ok && reply.value instanceof Uint8Array ? [reply.value.buffer as ArrayBuffer] : []
    port.postMessage(reply, transfer)
  })
})

/** The job with an export's records, which come after it in batches until the end (off-thread.ts postExport). */
function gathered(job: TransferJob & { incoming?: true }): Promise<TransferJob> {
  if (job.op !== "export" || job.incoming !== true) return Promise.resolve(job)
  const records: ExportRecord[] = []
  return new Promise((resolve) => {
    const take = (message: ToWorker) => {
      if (typeof message === "object" && "records" in message && !("op" in message)) {
        for (const record of message.records) records.push(record)
        return
      }
      if (typeof message === "object" && "end" in message) {
        port.off("message", take)
        resolve({ op: "export", format: job.format, password: job.password, records })
      }
    }
    port.on("message", take)
  })
}
