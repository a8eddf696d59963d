import { resolve } from "node:path"
import type { Command } from "commander"
import type { CliContext } from "./context.js"
import { formatTable, formatTime } from "./format.js"
import { withProgressBar } from "./progress-bars.js"

interface JsonOption {
  json?: boolean
}

interface RestoreOptions extends JsonOption {
  replace?: boolean
  yes?: boolean
  passwordStdin?: boolean
}

/** `folder add|list|remove`: sync through a shared folder (USB stick, NAS, Dropbox). */
export function registerFolderCommand(program: Command, ctx: CliContext): void {
  const folder = program.command("folder").description("sync through a folder other devices also see (USB stick, NAS share, Dropbox); only ciphertext is written there")
  folder
    .command("add")
    .description("write this device's encrypted log into PATH and read the other devices' logs from it")
    .argument("<path>", "the shared folder")
    .option("--json", "print the folder as JSON")
    .action(async (path: string, options: JsonOption, command: Command) => {
      const result = await ctx.withClient(command, (client) => client.call("folders.add", { path: resolve(path) }))
      if (options.json) ctx.printJson(result)
      else ctx.print(`Syncing through ${result.path}.`)
    })
  folder
    .command("list")
    .description("the sync folders and how each is doing")
    .option("--json", "print the folders as JSON")
    .action(async (options: JsonOption, command: Command) => {
      const folders = await ctx.withClient(command, (client) => client.call("folders.list", {}))
      if (options.json) ctx.printJson(folders)
      else if (folders.length === 0) ctx.print("No sync folders: add one with `lanvault folder add PATH`.")
      else ctx.print(formatTable(["path", "last sync", "problem"], folders.map((f) => [f.path, f.lastSyncAt ? formatTime(f.lastSyncAt) : "never", f.error ?? ""])))
    })
  folder
    .command("remove")
    .description("stop syncing through a folder (its files stay)")
    .argument("<path>", "a folder shown by `lanvault folder list`")
    .option("--json", "print the result as JSON")
    .action(async (path: string, options: JsonOption, command: Command) => {
      const result = await ctx.withClient(command, (client) => client.call("folders.remove", { path: resolve(path) }))
      if (options.json) ctx.printJson(result)
      else ctx.print(`No longer syncing through ${result.path}.`)
    })
}

/** `backup create|list|restore`: encrypted backups of the vault. */
export function registerBackupCommand(program: Command, ctx: CliContext): void {
  const backup = program.command("backup").description("encrypted backups of the vault (made automatically too); they restore only with the password and the account key")
  backup
    .command("create")
    .description("write a backup now")
    .option("--json", "print the backup as JSON")
    .action(async (options: JsonOption, command: Command) => {
      const result = await ctx.withClient(command, (client) => withProgressBar(client, ctx.io.stderr, options.json, "backup", () => client.call("backup.create", {})))
      if (options.json) ctx.printJson(result)
      else ctx.print(`Backup written: ${result.path} (${result.entries} changes, ${result.bytes} bytes).`)
    })
  backup
    .command("list")
    .description("the backups, newest first")
    .option("--json", "print the backups as JSON")
    .action(async (options: JsonOption, command: Command) => {
      const backups = await ctx.withClient(command, (client) => client.call("backup.list", {}))
      if (options.json) ctx.printJson(backups)
      else if (backups.length === 0) ctx.print("No backups yet: `lanvault backup create`.")
      else ctx.print(formatTable(["made", "changes", "bytes", "file"], backups.map((b) => [formatTime(b.createdAt), String(b.entries), String(b.bytes), b.path])))
    })
  backup
    .command("restore")
    .description("merge a backup into the vault (nothing newer is discarded), or replace the vault with it (--replace)")
    .argument("<file>", "a backup file")
    .option("--replace", "replace this device's vault with the backup instead of merging (asks for confirmation)")
    .option("--yes", "do not ask for confirmation")
    .option("--password-stdin", "read the account password as the first line of stdin (else LANVAULT_PASSWORD, else a prompt)")
    .option("--json", "print the result as JSON")
    .action((file: string, options: RestoreOptions, command: Command) => runRestore(ctx, command, file, options))
}

async function runRestore(ctx: CliContext, command: Command, file: string, options: RestoreOptions): Promise<void> {
  if (options.replace) {
    ctx.note("--replace discards this device's vault and puts the backup in its place; changes made since the backup stay on the devices that have them.")
    await ctx.secrets.confirm("Replace this device's vault with the backup?", { yes: options.yes })
  }
  const result = await ctx.withClient(command, async (client) => {
    // A vault kept from before a reset needs the password it had then: the account password when the backup was made.
    const password = await ctx.secrets.password({ label: "backup's password (the account password when it was made)", envVar: "LANVAULT_PASSWORD", fromStdin: options.passwordStdin === true })
    return client.call("backup.restore", { path: resolve(file), password, replace: options.replace === true })
  })
  if (options.json) ctx.printJson(result)
  else if (result.broughtIn) {
    const { records, identical } = result.broughtIn
    ctx.print(`Brought ${records} records of the vault from before the reset into the account (${identical} already there were left out); they sync to the other devices.`)
  } else ctx.print(`${result.replaced ? "Replaced the vault with" : "Merged"} the backup: ${result.restoredEntries} changes restored. Run \`lanvault unlock\`.`)
}
