import type { Command } from "commander"
import type { SearchResult, TotpResult } from "../api/protocol.js"
import { LanvaultError } from "../errors.js"
import type { VaultRecord } from "../api/public.js"
import type { CliContext } from "./context.js"
import { formatTable, shortId } from "./format.js"
import { formatRecord, recordForJson } from "./record-output.js"

/** What QUERY means, in every command's help. */
export const QUERY_HELP = "an id, a unique id prefix, or a title / web address host naming one record (case-insensitive)"

interface GetOptions {
  field?: string
  reveal?: boolean
  json?: boolean
}

interface JsonOption {
  json?: boolean
}

interface TotpOptions extends JsonOption {
  field?: string
}

/** `get`, `search`, `totp`: reading records by what a person remembers of them. */
export function registerLookupCommands(program: Command, ctx: CliContext): void {
  program
    .command("get")
    .description("show one record; secret values are masked unless --reveal (--field prints one value, for scripts)")
    .argument("<query>", QUERY_HELP)
    .option("--field <name>", "print only this field's value and a newline (secrets included, like `op read`)")
    .option("--reveal", "show secret values")
    .option("--json", "print the record as JSON (secret values left out unless --reveal or --field)")
    .action((query: string, options: GetOptions, command: Command) => runGet(ctx, command, query, options))
  program
    .command("search")
    .description("find records by words in their titles, user names, web addresses, tags and notes (never in secrets)")
    .argument("<query>", "words that must all appear (case-insensitive)")
    .option("--json", "print the matches as JSON")
    .action((query: string, options: JsonOption, command: Command) => runSearch(ctx, command, query, options))
  program
    .command("totp")
    .description("print a record's current TOTP code and the seconds it stays valid (RFC 6238)")
    .argument("<query>", QUERY_HELP)
    .option("--field <name>", "the field holding the seed, when the record has several")
    .option("--json", "print {code, secondsLeft, period, digits, algorithm, …} as JSON")
    .action((query: string, options: TotpOptions, command: Command) => runTotp(ctx, command, query, options))
}

async function runGet(ctx: CliContext, command: Command, query: string, options: GetOptions): Promise<void> {
  const record = await ctx.withClient(command, (client) => client.call("records.find", { query }))
  if (options.field !== undefined) {
    const value = fieldValue(record, options.field)
    if (options.json) ctx.printJson({ id: record.id, title: record.title, field: options.field, value })
    else ctx.io.stdout.write(`${value}\n`)
    return
  }
  const reveal = options.reveal === true
  if (options.json) ctx.printJson(recordForJson(record, reveal))
  else ctx.print(formatRecord(record, reveal))
}

/**
 * A field's value by name (case-insensitive when no field has the exact name);
 * `title`, `notes`, `id`, `type` and `tags` name the record's own parts unless a
 * field is called so.
 */
export function fieldValue(record: VaultRecord, name: string): string {
  const exact = record.fields[name]
  if (exact !== undefined) return exact.value
  const folded = Object.keys(record.fields).filter((key) => key.toLowerCase() === name.toLowerCase())
  if (folded.length === 1) return record.fields[folded[0]].value
  const own: Record<string, string> = { id: record.id, title: record.title, type: record.type, notes: record.notes, tags: record.tags.join(",") }
  if (Object.hasOwn(own, name.toLowerCase())) return own[name.toLowerCase()]
  const names = Object.keys(record.fields)
  const has = names.length === 0 ? "it has no fields" : `its fields: ${names.join(", ")}`
  throw new LanvaultError("NOT_FOUND", `"${record.title}" has no field "${name}" (${has})`)
}

async function runSearch(ctx: CliContext, command: Command, query: string, options: JsonOption): Promise<void> {
  const hits = await ctx.withClient(command, (client) => client.call("records.search", { query }))
  if (options.json) ctx.printJson(hits)
  else if (hits.length === 0) ctx.print(`No record matches "${query}".`)
  else ctx.print(formatSearch(hits))
}

/** `search`'s table: short id, type, title, and where the words matched. */
export function formatSearch(hits: readonly SearchResult[]): string {
  const rows = hits.map(({ record, matched }) => [shortId(record.id), record.type, record.title, matched.join(", ")])
  return formatTable(["ID", "TYPE", "TITLE", "MATCHED IN"], rows)
}

async function runTotp(ctx: CliContext, command: Command, query: string, options: TotpOptions): Promise<void> {
  const params = options.field === undefined ? { query } : { query, field: options.field }
  const result: TotpResult = await ctx.withClient(command, (client) => client.call("totp", params))
  if (options.json) ctx.printJson(result)
  else ctx.print(`${result.code}  (${result.secondsLeft} s left)`)
}
