import { closeSync, existsSync, openSync, readSync, constants, fstatSync } from "node:fs"
import { resolve } from "node:path"
import { Option, type Command } from "commander"
import { NotFoundError } from "../errors.js"
import type { ImportSummary } from "../api/protocol.js"
import type { CliContext } from "./context.js"
import { withProgressBar } from "./progress-bars.js"

/** Formats `import` reads (DESIGN §11, §13); without `--format` the daemon detects it. */
export const IMPORT_FORMATS = [
  "bitwarden-json", "bitwarden-csv", "keepassxc-csv", "kdbx", "keepass-xml", "1password-csv", "1password-1pux", "chrome-csv",
  "firefox-csv", "apple-csv", "lastpass-csv", "dashlane-csv", "nordpass-csv", "keeper-csv", "proton-json", "proton-zip",
  "enpass-json", "msecure-csv", "json", "csv",
] as const
/** Formats `export` writes. */
export const EXPORT_FORMATS = ["json", "csv", "kdbx", "bitwarden-json"] as const

const KDBX_SIGNATURE = [0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5]

interface ImportOptions {
  format?: string
  keyFile?: string
  passwordStdin?: boolean
  json?: boolean
}

interface ExportOptions {
  format: string
  yes?: boolean
  passwordStdin?: boolean
  json?: boolean
}

/** `import`, `export`: records from and to other password managers' files. */
export function registerTransferCommands(program: Command, ctx: CliContext): void {
  program
    .command("import")
    .description("import records from another password manager's export file (the format is detected; --format forces one)")
    .argument("<file>", "the file to read (the daemon reads it)")
    .addOption(new Option("--format <format>", "the file's format, when detection should not decide").choices(IMPORT_FORMATS))
    .option("--key-file <path>", "a KeePass database's key file")
    .option("--password-stdin", "read a KeePass database's password as the first line of stdin (else LANVAULT_IMPORT_PASSWORD, else a prompt)")
    .option("--json", "print the import summary as JSON")
    .action((file: string, options: ImportOptions, command: Command) => runImport(ctx, command, file, options))
  program
    .command("export")
    .description("write every record to a file: json, csv and bitwarden-json are PLAINTEXT (asks to confirm); kdbx is an encrypted KeePass database")
    .argument("<file>", "the file to write (a new regular file, mode 0600)")
    .addOption(new Option("--format <format>", "the file's format").choices(EXPORT_FORMATS).makeOptionMandatory())
    .option("--yes", "do not ask for confirmation (needed when stdin is not a terminal)")
    .option("--password-stdin", "kdbx: read the database password as the first line of stdin (else LANVAULT_EXPORT_PASSWORD, else a prompt)")
    .option("--json", "print {exported, path, format} as JSON")
    .action((file: string, options: ExportOptions, command: Command) => runExport(ctx, command, file, options))
}

async function runImport(ctx: CliContext, command: Command, file: string, options: ImportOptions): Promise<void> {
  const path = resolve(file)
  if (!existsSync(path)) throw new NotFoundError(`file ${path}`)
  const keyFile = options.keyFile === undefined ? undefined : resolve(options.keyFile)
  const needsPassword = options.format === "kdbx" || (options.format === undefined && isKdbx(path))
  const password = needsPassword
    ? await ctx.secrets.password({ label: "KeePass database password", envVar: "LANVAULT_IMPORT_PASSWORD", fromStdin: options.passwordStdin === true })
    : undefined
  const params = { path, ...(options.format ? { format: options.format } : {}), ...(password ? { password } : {}), ...(keyFile ? { keyFile } : {}) }
  // On a terminal, a bar on stderr follows the daemon's import.progress events; the summary below is printed always.
  const result = await ctx.withClient(command, (client) => withProgressBar(client, ctx.io.stderr, options.json, "import", () => client.call("import", params)))
  if (options.json) ctx.printJson(result)
  else printSummary(ctx, result)
}

function printSummary(ctx: CliContext, result: ImportSummary): void {
  ctx.print(`Read as ${result.format} (${result.detectedBy === "--format" ? "as --format said" : `detected: ${result.detectedBy}`}).`)
  ctx.print(`${result.imported} imported, ${result.skipped.length} skipped`)
  // " line 7 "Title"", or "" when the entry has neither.
  const label = (entry: { line?: number; title?: string }) =>
    [entry.line === undefined ? undefined : `line ${entry.line}`, entry.title === undefined ? undefined : `"${entry.title}"`]
      .filter((part) => part !== undefined)
      .map((part) => ` ${part}`)
      .join("")
  const lines: Array<[number, string]> = [
    ...result.skipped.map((entry): [number, string] => [entry.line ?? Infinity, `  skipped${label(entry)}: ${entry.reason}`]),
    ...result.kept.map((entry): [number, string] => [entry.line ?? Infinity, `  kept${label(entry)}: ${entry.reason}`]),
    ...result.notCarried.map((entry): [number, string] => [entry.line ?? Infinity, `  imported${label(entry)} without: ${entry.items.join(", ")} (lanvault cannot hold these)`]),
  ]
  for (const [, text] of lines.sort((a, b) => a[0] - b[0])) ctx.print(text)
  if (lines.length > 0) ctx.print("Every other entry was imported as it was.")
}

async function runExport(ctx: CliContext, command: Command, file: string, options: ExportOptions): Promise<void> {
  const path = resolve(file)
  let password: string | undefined
  if (options.format === "kdbx") {
    password = await ctx.secrets.password({ label: "password for the KeePass file", envVar: "LANVAULT_EXPORT_PASSWORD", fromStdin: options.passwordStdin === true, isNew: true })
  } else {
    ctx.note(`Warning: ${path} will hold every secret of the vault in PLAINTEXT. Anyone who can read that file can read your passwords: delete it as soon as you are done with it.`)
    await ctx.secrets.confirm("Write the plaintext export?", { yes: options.yes })
  }
  const params = { path, format: options.format, ...(password ? { password } : {}) }
  // On a terminal, a bar follows the records the daemon has gathered (work.progress); the file is written after.
  const result = await ctx.withClient(command, (client) => withProgressBar(client, ctx.io.stderr, options.json, "export", () => client.call("export", params)))
  if (options.json) ctx.printJson(result)
  else ctx.print(`Exported ${result.exported} record${result.exported === 1 ? "" : "s"} to ${result.path} (${result.format}).`)
}

// Reads 8 bytes without blocking (a FIFO or device is left to the daemon to refuse).
function isKdbx(path: string): boolean {
  let fd: number | undefined
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
    if (!fstatSync(fd).isFile()) return false
    const head = Buffer.alloc(KDBX_SIGNATURE.length)
    return readSync(fd, head, 0, head.length, 0) === head.length && KDBX_SIGNATURE.every((byte, i) => head[i] === byte)
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
