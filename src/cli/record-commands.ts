import type { Command } from "commander"
import { describeWeakness, MAX_PAGE_RECORDS, RECORD_TYPES, type FieldValue, type ListFilter, type RecordInput, type RecordPatch } from "../api/public.js"
import { LockedError } from "../errors.js"
import { usageError } from "./cli-error.js"
import type { LanvaultClient } from "../api/client.js"
import type { CliContext } from "./context.js"
import { shortId } from "./format.js"
import { resolveRecord } from "./id-prefix.js"
import { collect, integerIn } from "./option-parsers.js"
import { withGeneratorOptions } from "./generate-command.js"
import { describeGenerated, planFields, readFields, type FieldOptions, type FieldPlan, type Generator } from "./record-input.js"
import { formatHistory, formatRecordList, historyForJson, recordForJson } from "./record-output.js"

/** The daemon's `strength` takes context words of at most this many characters. */
const MAX_CONTEXT_CHARS = 100
const ID_HELP = "the record's id, or a unique prefix of it (as `list` shows)"

interface AddOptions extends FieldOptions {
  type: string
  title: string
  tag?: string[]
  notes?: string
  favorite?: boolean
  json?: boolean
}

interface EditOptions extends FieldOptions {
  type?: string
  title?: string
  unset?: string[]
  tag?: string[]
  notes?: string
  favorite?: boolean
  restore?: boolean
  json?: boolean
}

interface ListOptions extends ListFilter {
  json?: boolean
  limit?: number
  cursor?: string
}

interface RemoveOptions {
  permanent?: boolean
  yes?: boolean
  json?: boolean
}

interface ShowOptions {
  reveal?: boolean
  json?: boolean
}

/** `add`, `list`, `edit`, `rm`, `history`: the records of the vault (`get` is in lookup-commands). */
export function registerRecordCommands(program: Command, ctx: CliContext): void {
  registerAdd(program, ctx)
  registerViews(program, ctx)
  registerEdit(program, ctx)
  registerRemove(program, ctx)
}

function registerAdd(program: Command, ctx: CliContext): void {
  const add = program
    .command("add")
    .description("add a record; secret values come from a hidden prompt or stdin, never the command line")
    .requiredOption("--type <type>", `record type: ${RECORD_TYPES.join(", ")}, or your own`)
    .requiredOption("--title <title>", "the record's title")
  withFieldOptions(add)
    .option("--tag <tag>", "a tag (repeatable)", collect)
    .option("--notes <text>", "free-text notes (not secret: they show in `ps`)")
    .option("--favorite", "mark the record as a favorite")
    .option("--json", "print {id} as JSON")
    .action((options: AddOptions, command: Command) => runAdd(ctx, command, options))
}

/** `list`, `history`: reading records. */
function registerViews(program: Command, ctx: CliContext): void {
  program
    .command("list")
    .description("list records (secret values are never listed)")
    .option("--query <text>", "only records whose title or non-secret fields contain this text")
    .option("--type <type>", "only records of this type")
    .option("--tag <tag>", "only records with this tag")
    .option("--trash", "list the trash instead")
    .option("--limit <n>", "only the first N records (one page; says how to get the next)", integerIn(1, MAX_PAGE_RECORDS))
    .option("--cursor <cursor>", "with --limit: the page after the one that printed this cursor")
    .option("--json", "print the records as JSON (with --limit: {records, next})")
    .action((options: ListOptions, command: Command) => runList(ctx, command, options))
  program
    .command("history")
    .description("show a record's earlier field values: overwritten, removed, or lost in a concurrent edit")
    .argument("<id>", ID_HELP)
    .option("--reveal", "show secret values")
    .option("--json", "print the entries as JSON (secret values left out unless --reveal)")
    .action((id: string, options: ShowOptions, command: Command) => runHistory(ctx, command, id, options))
}

function registerEdit(program: Command, ctx: CliContext): void {
  const edit = program
    .command("edit")
    .description("change a record: title, fields, tags, notes; or restore it from the trash")
    .argument("<id>", ID_HELP)
    .option("--type <type>", "a new record type")
    .option("--title <title>", "a new title")
  withFieldOptions(edit)
    .option("--unset <name>", "remove this field (repeatable; its value stays in history)", collect)
    .option("--tag <tag>", "replace the tags with these (repeatable)", collect)
    .option("--notes <text>", "replace the notes (not secret: they show in `ps`)")
    .option("--favorite", "mark as a favorite")
    .option("--no-favorite", "unmark as a favorite")
    .option("--restore", "take the record out of the trash")
    .option("--json", "print the updated record as JSON (secret values left out)")
    .action((id: string, options: EditOptions, command: Command) => runEdit(ctx, command, id, options))
}

function registerRemove(program: Command, ctx: CliContext): void {
  program
    .command("rm")
    .description("move a record to the trash, or delete it for good with --permanent")
    .argument("<id>", ID_HELP)
    .option("--permanent", "delete it for good (its history goes too); asks to confirm")
    .option("--yes", "do not ask for confirmation (needed with --permanent when stdin is not a terminal)")
    .option("--json", "print the result as JSON")
    .action((id: string, options: RemoveOptions, command: Command) => runRemove(ctx, command, id, options))
}

function withFieldOptions(command: Command): Command {
  command
    .option("--field <name=value>", "a field that is not secret, e.g. username=ann (repeatable)", collect)
    .option("--secret-field <name>", "a secret field: its value from a hidden prompt, or the next line of stdin when stdin is not a terminal (repeatable, in order)", collect)
    .option("--generate <name>", "fill this field with a generated strong password, or a passphrase with --words (repeatable)", collect)
  return withGeneratorOptions(command, "--generate values")
}

async function runAdd(ctx: CliContext, command: Command, options: AddOptions): Promise<void> {
  const plan = planFields(options)
  const { result, warnings } = await ctx.withClient(command, async (client) => {
    // Fail before anyone types a secret the locked daemon would refuse anyway.
    if (plan.secret.length > 0 && (await client.call("status", {})).locked) throw new LockedError()
    const record: RecordInput = { type: options.type, title: options.title, fields: await readFields(plan, ctx.secrets, generatorOf(client)) }
    if (options.notes !== undefined) record.notes = options.notes
    if (options.tag !== undefined) record.tags = options.tag
    if (options.favorite) record.favorite = true
    const result = await client.call("records.create", { record })
    return { result, warnings: await weakSecretWarnings(client, plan.secret, { fields: record.fields ?? {}, title: options.title }) }
  })
  noteGenerated(ctx, plan, result.id)
  for (const warning of warnings) ctx.note(warning)
  if (options.json) ctx.printJson(result)
  else ctx.print(result.id)
}

async function runList(ctx: CliContext, command: Command, options: ListOptions): Promise<void> {
  const filter: ListFilter = {}
  if (options.query !== undefined) filter.query = options.query
  if (options.type !== undefined) filter.type = options.type
  if (options.tag !== undefined) filter.tag = options.tag
  if (options.trash) filter.trash = true
  if (options.cursor !== undefined && options.limit === undefined) throw usageError("--cursor goes with --limit")
  if (options.limit !== undefined) return runListPage(ctx, command, filter, options)
  const records = await ctx.withClient(command, (client) => client.call("records.list", filter))
  if (options.json) ctx.printJson(records)
  else if (records.length === 0) ctx.print(options.trash ? "The trash is empty." : "No records.")
  else ctx.print(formatRecordList(records))
}

/** `list --limit N [--cursor C]`: one page, and (on stderr) the command that prints the next. */
async function runListPage(ctx: CliContext, command: Command, filter: ListFilter, options: ListOptions): Promise<void> {
  const params = { ...filter, limit: options.limit!, ...(options.cursor === undefined ? {} : { cursor: options.cursor }) }
  const page = await ctx.withClient(command, (client) => client.call("records.list", params))
  if (options.json) return ctx.printJson(page)
  if (page.records.length > 0) ctx.print(formatRecordList(page.records))
  else ctx.print(options.cursor === undefined ? "No records." : "No more records.")
  if (page.next !== undefined) ctx.note(`more: lanvault list --limit ${options.limit} --cursor ${page.next}`)
}

async function runEdit(ctx: CliContext, command: Command, text: string, options: EditOptions): Promise<void> {
  const plan = planFields(options)
  const unset = options.unset ?? []
  const changesFields = plan.plain.length + plan.secret.length + plan.generate.length + unset.length > 0
  const setsOther = [options.type, options.title, options.tag, options.notes, options.favorite, options.restore].some((v) => v !== undefined)
  if (!changesFields && !setsOther) throw usageError("nothing to change: give --title, --field, --secret-field, --generate, --unset, --tag, --notes, --favorite or --restore")
  const overlap = unset.find((name) => [...plan.plain.map((f) => f.name), ...plan.secret, ...plan.generate].includes(name))
  if (overlap !== undefined) throw usageError(`field "${overlap}" is both set and unset`)
  const { record, warnings } = await ctx.withClient(command, async (client) => {
    const { id, summary } = await resolveRecord(client, text)
    const set = editSet(options)
    const fields = await readFields(plan, ctx.secrets, generatorOf(client), summary?.fields)
    if (Object.keys(fields).length > 0) set.fields = fields
    const patch: RecordPatch = {}
    if (Object.keys(set).length > 0) patch.set = set
    if (unset.length > 0) patch.unset = unset
    const record = await client.call("records.update", { id, ...patch })
    return { record, warnings: await weakSecretWarnings(client, plan.secret, { fields, title: options.title ?? summary?.title ?? "" }) }
  })
  noteGenerated(ctx, plan, record.id)
  for (const warning of warnings) ctx.note(warning)
  if (options.json) ctx.printJson(recordForJson(record, false))
  else ctx.print(`Updated "${record.title}" (${shortId(record.id)}).`)
}

async function runRemove(ctx: CliContext, command: Command, text: string, options: RemoveOptions): Promise<void> {
  const permanent = options.permanent === true
  const { result, title } = await ctx.withClient(command, async (client) => {
    const { id, summary } = await resolveRecord(client, text)
    const title = summary ? `"${summary.title}"` : id
    if (permanent) await ctx.secrets.confirm(`Delete ${title} for good, with its history?`, { yes: options.yes })
    return { result: await client.call("records.delete", { id, permanent }), title }
  })
  if (options.json) ctx.printJson(result)
  else if (result.permanent) ctx.print(`Deleted ${title} for good.`)
  else ctx.print(`Moved ${title} to the trash (undo with \`lanvault edit ${shortId(result.id)} --restore\`).`)
}

async function runHistory(ctx: CliContext, command: Command, text: string, options: ShowOptions): Promise<void> {
  const reveal = options.reveal === true
  const entries = await ctx.withClient(command, async (client) => client.call("records.history", { id: (await resolveRecord(client, text)).id }))
  if (options.json) ctx.printJson(historyForJson(entries, reveal))
  else if (entries.length === 0) ctx.print("No earlier values.")
  else ctx.print(formatHistory(entries, reveal))
}

function editSet(options: EditOptions): NonNullable<RecordPatch["set"]> {
  const set: NonNullable<RecordPatch["set"]> = {}
  if (options.type !== undefined) set.type = options.type
  if (options.title !== undefined) set.title = options.title
  if (options.tag !== undefined) set.tags = options.tag
  if (options.notes !== undefined) set.notes = options.notes
  if (options.favorite !== undefined) set.favorite = options.favorite
  if (options.restore) set.trashed = false
  return set
}

/** Says on stderr which fields got a generated password (never the password itself). */
function noteGenerated(ctx: CliContext, plan: FieldPlan, id: string): void {
  for (const name of plan.generate) {
    ctx.note(`Generated ${describeGenerated(plan.generator)} for "${name}": see it with \`lanvault get ${shortId(id)} --field ${name}\`.`)
  }
}

/** The daemon's generator (the one desktop apps use), for --generate. */
function generatorOf(client: LanvaultClient): Generator {
  return async (params) => (await client.call("generate", params)).value
}

/** The secret fields a person typed into one add or edit, and the record's title (a word an attacker tries). */
interface TypedSecrets {
  fields: Record<string, FieldValue>
  title: string
}

/**
 * Warnings for stderr (never a refusal) when a typed secret field is easy to guess, judged by the
 * daemon's estimator (`strength`); generated ones are skipped. The value is never printed. The
 * record is saved by then: a failed estimate only means no warning.
 */
async function weakSecretWarnings(client: LanvaultClient, typed: string[], secrets: TypedSecrets): Promise<string[]> {
  const warnings: string[] = []
  for (const name of typed.filter((name) => secrets.fields[name]?.kind === "secret")) {
    const report = await client.call("strength", { secret: secrets.fields[name].value, context: [secrets.title.slice(0, MAX_CONTEXT_CHARS)] }).catch(() => undefined)
    if (report?.weak) warnings.push(`warning: the value of "${name}" is easy to guess (strength ${report.score} of 4). ${describeWeakness(report)} Consider \`--generate ${name}\`.`)
  }
  return warnings
}
