import { existsSync } from "node:fs"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Command } from "commander"
import { installHostManifests } from "../api/local.js"
import { CliError } from "./cli-error.js"
import type { CliContext } from "./context.js"
import { formatTable } from "./format.js"
import { integerIn } from "./option-parsers.js"

interface JsonOption {
  json?: boolean
}

const MAX_ALLOW_SECONDS = 3600
/** The relay the manifests run (bin/ of this package; works from src/ and dist/). */
const RELAY_SCRIPT = fileURLToPath(new URL("../../bin/lanvault-browser-host.js", import.meta.url))

/** `browser enable|disable|status|allow|list|revoke|install` (DESIGN §13): KeePassXC-Browser integration. */
export function registerBrowserCommands(program: Command, ctx: CliContext): void {
  const browser = program.command("browser").description("fill logins in the browser with the KeePassXC-Browser extension")
  for (const [name, method, text] of [
    ["enable", "browser.enable", "listen for KeePassXC-Browser now and at every daemon start"],
    ["disable", "browser.disable", "stop listening for KeePassXC-Browser (remembered)"],
    ["status", "browser.status", "whether browser integration is on, and its socket"],
  ] as const) {
    browser
      .command(name)
      .description(text)
      .option("--json", "print the result as JSON")
      .action(async (options: JsonOption, command: Command) => {
        const status = await ctx.withClient(command, (client) => client.call(method, {}))
        if (options.json) return ctx.printJson(status)
        ctx.print(status.listening ? `Browser integration is on: listening on ${status.socket}.` : `Browser integration is ${status.enabled ? "on but not listening (see the daemon's log)" : "off"}.`)
        if (name === "enable") ctx.note("Next: `lanvault browser install` (once), then `lanvault browser allow` and click Connect in the extension.")
      })
  }
  browser
    .command("allow")
    .description("let one browser associate (click Connect in KeePassXC-Browser) within the next seconds")
    .option("--seconds <n>", "how long the window stays open (default 120)", integerIn(1, MAX_ALLOW_SECONDS))
    .option("--json", "print the result as JSON")
    .action(async (options: JsonOption & { seconds?: number }, command: Command) => {
      ctx.note(`Waiting up to ${options.seconds ?? 120} s: click Connect in KeePassXC-Browser (the vault must be unlocked).`)
      const result = await ctx.withClient(command, (client) => client.call("browser.allow", { seconds: options.seconds, wait: true }))
      if (options.json) return ctx.printJson(result)
      if (result.associated === undefined) throw new CliError("no browser associated before the window closed: run `lanvault browser allow` again")
      ctx.print(`Associated ${result.associated}.`)
    })
  browser
    .command("list")
    .description("the browsers allowed to fill logins")
    .option("--json", "print the list as JSON")
    .action(async (options: JsonOption, command: Command) => {
      const list = await ctx.withClient(command, (client) => client.call("browser.list", {}))
      if (options.json) return ctx.printJson(list)
      if (list.length === 0) return ctx.print("No browser is associated: run `lanvault browser allow` and click Connect in the extension.")
      ctx.print(formatTable(["name", "associated"], list.map((a) => [a.name, new Date(a.createdAt).toISOString()])))
    })
  browser
    .command("revoke")
    .description("stop a browser from getting logins (at once, on every device)")
    .argument("<name>", "a name shown by `lanvault browser list`")
    .action(async (name: string, _options: unknown, command: Command) => {
      await ctx.withClient(command, (client) => client.call("browser.revoke", { name }))
      ctx.print(`Revoked ${name}.`)
    })
  browser
    .command("install")
    .description("write the native-messaging manifests for Chromium, Chrome, Brave and Firefox")
    .option("--force", "replace KeePassXC's own manifests too")
    .option("--json", "print the result as JSON")
    .action(async (options: JsonOption & { force?: boolean }, command: Command) => {
      const result = await installHostManifests({ lanvaultHome: ctx.home(command), relayScript: RELAY_SCRIPT, force: options.force })
      if (options.json) return ctx.printJson(result)
      for (const m of result.manifests) {
        if (m.outcome === "kept-keepassxc") ctx.print(`${m.browser}: KeePassXC's manifest is already there (${m.path}, runs ${m.keptHost}); kept: its proxy reaches lanvault's socket too (--force replaces it).`)
        else ctx.print(`${m.browser}: ${m.outcome === "written" ? "wrote" : "replaced KeePassXC's manifest with"} ${m.path}`)
      }
      ctx.print(`Host: ${result.host}${proxyOnPath(ctx.io.env) ? " (keepassxc-proxy is installed too: either works)" : ""}`)
    })
}

function proxyOnPath(env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, "keepassxc-proxy")))
}
