/**
 * The detached helper `lanvault copy` leaves behind: reads one JSON line on stdin
 * ({tool, afterMs, sha256}), waits, and empties the clipboard if it still holds
 * the copied value (compared by SHA-256: the value itself never reaches this
 * process, its argv or its environment).
 */
import { timingSafeEqual } from "node:crypto"
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { clearWith, clipboardDigest, pasteWith, type ClearRequest } from "./clipboard.js"

async function readRequest(): Promise<ClearRequest> {
  let text = ""
  for await (const chunk of process.stdin) text += String(chunk)
  return JSON.parse(text) as ClearRequest
}

async function clearLater(): Promise<void> {
  const request = await readRequest()
  await new Promise((resolve) => setTimeout(resolve, request.afterMs))
  const now = clipboardDigest(await pasteWith(request.tool, process.env))
  if (timingSafeEqual(Buffer.from(now, "hex"), Buffer.from(request.sha256, "hex"))) await clearWith(request.tool, process.env)
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  clearLater().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
