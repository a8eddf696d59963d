import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Command } from "commander"
import type { LanvaultClient } from "../api/client.js"
import { LanvaultError } from "../errors.js"
import type { VaultRecord } from "../api/public.js"
import { clipboardDigest, copyWith, findClipboardTool, type ClearRequest, type ClipboardTool } from "./clipboard.js"
import type { CliContext } from "./context.js"
import { fieldValue, QUERY_HELP } from "./lookup-commands.js"
import { integerIn } from "./option-parsers.js"

/** How long the clipboard holds a copied value unless --clear-after says otherwise. */
const DEFAULT_CLEAR_AFTER_S = 30
const MAX_CLEAR_AFTER_S = 24 * 3600
const CLEARER = fileURLToPath(new URL("./clipboard-clearer.js", import.meta.url))

interface CopyOptions {
  field?: string
  clearAfter: number
}

/** `copy`: a field's value (default: the password) onto the system clipboard, cleared after a while. */
export function registerCopyCommand(program: Command, ctx: CliContext): void {
  program
    .command("copy")
    .description(`copy a record's password (or --field) to the clipboard; cleared after ${DEFAULT_CLEAR_AFTER_S} s if it still holds it`)
    .argument("<query>", QUERY_HELP)
    .option("--field <name>", "copy this field instead (a TOTP field copies its current code)")
    .option("--clear-after <seconds>", `clear the clipboard after this many seconds (0: never; default ${DEFAULT_CLEAR_AFTER_S})`, integerIn(0, MAX_CLEAR_AFTER_S), DEFAULT_CLEAR_AFTER_S)
    .addHelpText("after", "\nClipboard tools: xclip or xsel (X11), wl-copy (Wayland), pbcopy (macOS), clip (Windows).")
    .action((query: string, options: CopyOptions, command: Command) => runCopy(ctx, command, query, options))
}

async function runCopy(ctx: CliContext, command: Command, query: string, options: CopyOptions): Promise<void> {
  // Before the daemon is asked: no secret travels if it cannot land anywhere.
  const tool = findClipboardTool(ctx.io.env)
  const { record, field, value } = await ctx.withClient(command, (client) => pickValue(client, query, options.field))
  await copyWith(tool, value, ctx.io.env)
  if (options.clearAfter > 0) scheduleClear(tool, value, options.clearAfter, ctx.io.env)
  const when = options.clearAfter > 0 ? `it is cleared in ${options.clearAfter} s` : "it stays there until replaced"
  ctx.note(`Copied "${field}" of "${record.title}" to the clipboard (${tool.name}); ${when}.`)
}

async function pickValue(client: LanvaultClient, query: string, wanted: string | undefined): Promise<{ record: VaultRecord; field: string; value: string }> {
  const record = await client.call("records.find", { query })
  const field = wanted ?? passwordField(record)
  const kind = record.fields[field]?.kind
  if (kind === "totp") {
    const { code } = await client.call("totp", { id: record.id, field })
    return { record, field, value: code }
  }
  return { record, field, value: fieldValue(record, field) }
}

/** "password" when the record has it, else its only secret field. */
function passwordField(record: VaultRecord): string {
  if (record.fields.password !== undefined) return "password"
  const secrets = Object.keys(record.fields).filter((name) => record.fields[name].kind === "secret")
  if (secrets.length === 1) return secrets[0]
  const names = Object.keys(record.fields)
  throw new LanvaultError("NOT_FOUND", `"${record.title}" has no password field: name one with --field (${names.length === 0 ? "it has no fields" : `its fields: ${names.join(", ")}`})`)
}

/** Leaves a detached helper that clears the clipboard later if it still holds this value. */
function scheduleClear(tool: ClipboardTool, value: string, seconds: number, env: NodeJS.ProcessEnv): void {
  const request: ClearRequest = { tool, afterMs: seconds * 1000, sha256: clipboardDigest(value) }
  const child = spawn(process.execPath, [CLEARER], { detached: true, stdio: ["pipe", "ignore", "ignore"], env })
  child.stdin.end(`${JSON.stringify(request)}\n`)
  child.unref()
}
