/**
 * The entry of the worker thread that reads and parses an import file, or
 * renders an export, away from the daemon's event loop (issue 18: the socket is
 * never deaf). It also keeps the parsers (kdbxweb, fast-xml-parser, csv-*) out
 * of the daemon's memory: they live and die with the worker. One request in,
 * one reply out.
 */
import { parentPort } from "node:worker_threads"
import type { TransferJob } from "./off-thread.js"
import { runTransferJob } from "./transfer-job.js"

if (parentPort === null) throw new Error("parse-worker.js runs only as a worker thread")
const port = parentPort
port.once("message", (job: TransferJob) => {
  void runTransferJob(job).then((reply) => {
    const transfer = reply.ok && reply.value instanceof Uint8Array ? [reply.value.buffer as ArrayBuffer] : []
    port.postMessage(reply, transfer)
  })
})
