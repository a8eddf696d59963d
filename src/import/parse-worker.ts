/**
 * The entry of the worker thread that reads and parses an import file, or
 * renders an export, away from the daemon's event loop (issue 18: the socket is
 * never deaf). It also keeps the parsers (kdbxweb, fast-xml-parser, csv-*) out
 * of the daemon's memory: they live and die with the worker. An import goes on
 * with the daemon (import-serve.ts); an export is one request in, one reply out.
 */
import { parentPort } from "node:worker_threads"
import { serveImport } from "./import-serve.js"
import type { ToWorker, TransferJob } from "./off-thread.js"
import type { ExportRecord } from "./types.js"
import { runTransferJob } from "./transfer-job.js"

if (parentPort === null) throw new Error("parse-worker.js runs only as a worker thread")
const port = parentPort
port.once("message", (job: TransferJob & { incoming?: true }) => {
  if (job.op === "import") return void serveImport(port, job)
  void gathered(job).then(runTransferJob).then((reply) => {
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
