import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { Option, type Command } from "commander"
import { NotFoundError } from "../errors.js"
import type { CliContext } from "./context.js"

/** Formats `import` reads (DESIGN §11). */
export const IMPORT_FORMATS = ["bitwarden-json", "bitwarden-csv", "keepassxc-csv", "1password-csv", "chrome-csv", "msecure-csv", "json"] as const
/** Formats `export` writes. */
export const EXPORT_FORMATS = ["json", "csv"] as const

interface ImportOptions {
  format: string
  json?: boolean
}

interface ExportOptions {
  format: string
  yes?: boolean
  json?: boolean
}

/** `import`, `export`: records from and to other password managers' files. */
export function registerTransferCommands(program: Command, ctx: CliContext): void {
  program
    .command("import")
    .description("import records from another password manager's export file")
    .argument("<file>", "the file to read (the daemon reads it)")
    .addOption(new Option("--format <format>", "the file's format").choices(IMPORT_FORMATS).makeOptionMandatory())
    .option("--json", "print {imported, skipped} as JSON")
    .action((file: string, options: ImportOptions, command: Command) => runImport(ctx, command, file, options))
  program
    .command("export")
    .description("write every record, secrets included, to a PLAINTEXT file (asks to confirm)")
    .argument("<file>", "the file to write (mode 0600)")
    .addOption(new Option("--format <format>", "the file's format").choices(EXPORT_FORMATS).makeOptionMandatory())
    .option("--yes", "do not ask for confirmation (needed when stdin is not a terminal)")
    .option("--json", "print {exported, path} as JSON")
    .action((file: string, options: ExportOptions, command: Command) => runExport(ctx, command, file, options))
}

async function runImport(ctx: CliContext, command: Command, file: string, options: ImportOptions): Promise<void> {
  const path = resolve(file)
  if (!existsSync(path)) throw new NotFoundError(`file ${path}`)
  const result = await ctx.withClient(command, (client) => client.call("import", { path, format: options.format }))
  if (options.json) {
    ctx.printJson(result)
    return
  }
  ctx.print(`${result.imported} imported, ${result.skipped.length} skipped`)
  for (const skipped of result.skipped) {
    const where = [skipped.line === undefined ? undefined : `line ${skipped.line}`, skipped.title === undefined ? undefined : `"${skipped.title}"`]
    const label = where.filter((part) => part !== undefined).join(" ")
    ctx.print(`  skipped${label === "" ? "" : ` ${label}`}: ${skipped.reason}`)
  }
}

async function runExport(ctx: CliContext, command: Command, file: string, options: ExportOptions): Promise<void> {
  const path = resolve(file)
  ctx.note(`Warning: ${path} will hold every secret of the vault in PLAINTEXT. Anyone who can read that file can read your passwords: delete it as soon as you are done with it.`)
  await ctx.secrets.confirm("Write the plaintext export?", { yes: options.yes })
  const result = await ctx.withClient(command, (client) => client.call("export", { path, format: options.format }))
  if (options.json) ctx.printJson(result)
  else ctx.print(`Exported ${result.exported} record${result.exported === 1 ? "" : "s"} to ${result.path}.`)
}
