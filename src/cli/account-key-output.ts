import QRCode from "qrcode"
import type { CliContext } from "./context.js"

/**
 * Prints an account key the way `init`, `reset` and `revoke` show it: the key on
 * a line of its own, what it is for, and a QR code of the key text.
 */
export async function printAccountKey(ctx: CliContext, accountKey: string, heading: string): Promise<void> {
  const qr = await QRCode.toString(accountKey, { type: "terminal", small: true })
  ctx.print(
    [
      heading,
      "",
      `    ${accountKey}`,
      "",
      "This key is shown only this once: write it down or store it somewhere safe.",
      "A new device needs BOTH this account key and your account password:",
      "run `lanvault join --account-key-stdin` there (or scan this QR code of the key).",
      "",
      qr.trimEnd(),
    ].join("\n"),
  )
}
