import { isAbsolute } from "node:path"
import { readAccountKey } from "../account/index.js"
import { formatAccountKey } from "../crypto/index.js"
import { InvalidParamsError } from "../errors.js"
import type { VaultService } from "../vault/index.js"

/** Writes the emergency kit (the account key as text and QR code) to a private PDF file. */
export async function writeKit(vault: Pick<VaultService, "home" | "deviceName">, path: string): Promise<{ path: string }> {
  if (!isAbsolute(path)) throw new InvalidParamsError("the kit path must be absolute")
  // pdfkit (≈ 28 MiB) is loaded only when a kit is written.
  const { writeEmergencyKit } = await import("../kit/index.js")
  await writeEmergencyKit(path, { accountKey: formatAccountKey(readAccountKey(vault.home)), deviceName: vault.deviceName, date: new Date() })
  return { path }
}
