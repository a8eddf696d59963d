import type { Command } from "commander"
import type { CliContext } from "./context.js"
import { terminalQr } from "./terminal-qr.js"

/**
 * Prints an account key the way `init`, `reset` and `revoke` show it: the key on
 * a line of its own, what it is for, and a QR code of the key text. The QR code
 * (and its colours) go only to a terminal, unless `--qr` asks for it.
 */
export async function printAccountKey(ctx: CliContext, accountKey: string, heading: string, command?: Command): Promise<void> {
  const terminal = (ctx.io.stdout as { isTTY?: boolean }).isTTY === true
  const asked = command?.opts<{ qr?: boolean }>().qr === true
  const lines = [
    heading,
    "",
    `    ${accountKey}`,
    "",
    "This key is shown only this once: write it down or store it somewhere safe.",
    "A new device needs BOTH this account key and your account password:",
  ]
  if (terminal || asked) {
    lines.push("run `lanvault join --account-key-stdin` there (or scan this QR code of the key).", "", terminalQr(accountKey, { ansi: terminal }))
  } else {
    lines.push("run `lanvault join --account-key-stdin` there (add --qr for a QR code of the key).")
  }
  ctx.print(lines.join("\n"))
}
