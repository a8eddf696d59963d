import { spawnSync } from "node:child_process"
import { accessSync, constants, existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { delimiter, dirname, join, sep } from "node:path"
import { fileURLToPath } from "node:url"
import type { Command } from "commander"
import { homePaths, resolveHome } from "../api/public.js"
import { LanvaultError } from "../errors.js"
import type { CliContext } from "./context.js"
import { launchdPlist, serviceFilePath, serviceNames, systemdUnit, type ServiceNames, type ServiceSpec } from "./service-files.js"

/** The package's bin, from src/cli or dist/cli alike. */
const BIN_PATH = fileURLToPath(new URL("../../bin/lanvault.js", import.meta.url))

/** Runs a program to completion; `ok` false when it could not start or exited non-zero. */
export type CommandRunner = (program: string, args: string[], env: NodeJS.ProcessEnv) => { ok: boolean; output: string }

/** What installing or removing the service depends on: injectable for tests. */
export interface ServiceDeps {
  platform: NodeJS.Platform
  env: NodeJS.ProcessEnv
  /** The person's home directory (HOME). */
  homeDir: string
  spec: ServiceSpec
  /** The home used when none is given: its service keeps the plain name `lanvault.service`. */
  defaultHome?: string
  run: CommandRunner
  print: (text: string) => void
}

/** `service install|uninstall`: the daemon as a systemd user unit (Linux) or a launchd agent (macOS). */
export function registerServiceCommand(program: Command, ctx: CliContext): void {
  const service = program
    .command("service")
    .description("run the daemon at login: a systemd user unit (Linux) or a launchd agent (macOS)")
  service
    .command("install")
    .description("write the service file for this home and start the service")
    .option("--dry-run", "print the file and the commands instead of writing or running anything")
    .action((options: { dryRun?: boolean }, command: Command) => installService(serviceDeps(ctx, command), options))
  service
    .command("uninstall")
    .description("stop the service and remove its file")
    .option("--dry-run", "print what would be removed and run")
    .action((options: { dryRun?: boolean }, command: Command) => uninstallService(serviceDeps(ctx, command), options))
}

/**
 * Writes this home's unit (or plist) and enables it. Throws SERVICE_FAILED (exit
 * 1) with the commands still to run when systemctl / launchctl is missing or fails.
 */
export function installService(deps: ServiceDeps, options: { dryRun?: boolean } = {}): void {
  const names = serviceNames(deps.spec.home, deps.defaultHome)
  const path = serviceFilePath(supported(deps.platform), deps.env, deps.homeDir, names)
  const text = deps.platform === "darwin" ? launchdPlist(deps.spec, names.label) : systemdUnit(deps.spec)
  const commands = deps.platform === "darwin" ? [["launchctl", "load", "-w", path]] : [systemctl("daemon-reload"), systemctl("enable", "--now", names.unit)]
  if (options.dryRun) {
    deps.print(`Would write ${path}:\n\n${text}\nthen run:\n${commands.map(shellLine).join("\n")}`)
    return
  }
  if (!existsSync(homePaths(deps.spec.home).accountKey)) {
    deps.print(`Note: ${deps.spec.home} holds no account yet: the service fails until you run \`lanvault init\` (or \`lanvault join\`).`)
  }
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text, { mode: 0o644 })
  deps.print(`Wrote ${path} (runs ${deps.spec.binPath} for ${deps.spec.home}).`)
  runAll(deps, commands, `the service file is written but the service is not running`)
  deps.print(`The lanvault daemon for ${deps.spec.home} now runs at login (and now)${logHint(deps.platform, names)}.`)
}

/** Stops and disables this home's service, then removes its file; SERVICE_FAILED when a step fails. */
export function uninstallService(deps: ServiceDeps, options: { dryRun?: boolean } = {}): void {
  const names = serviceNames(deps.spec.home, deps.defaultHome)
  const path = serviceFilePath(supported(deps.platform), deps.env, deps.homeDir, names)
  const before = deps.platform === "darwin" ? [["launchctl", "unload", "-w", path]] : [systemctl("disable", "--now", names.unit)]
  const after = deps.platform === "darwin" ? [] : [systemctl("daemon-reload")]
  if (options.dryRun) {
    deps.print(`Would run:\n${before.map(shellLine).join("\n")}\nremove ${path}${after.length > 0 ? `, then run:\n${after.map(shellLine).join("\n")}` : ""}`)
    return
  }
  if (!existsSync(path)) {
    deps.print(`No service file at ${path}: nothing to remove.`)
    return
  }
  runAll(deps, before, "the service file is still there")
  rmSync(path, { force: true })
  deps.print(`Removed ${path}.`)
  runAll(deps, after, `${path} is removed`)
}

/** Where the service's log goes, for the closing line. */
function logHint(platform: NodeJS.Platform, names: ServiceNames): string {
  return platform === "darwin" ? "; its log: daemon.stderr.log in the home" : `; its log: \`journalctl --user -u ${names.unit}\``
}

/** Runs the commands in order; at the first that cannot run, throws SERVICE_FAILED listing the rest to run by hand. */
function runAll(deps: ServiceDeps, commands: string[][], state: string): void {
  for (const [index, [program, ...args]] of commands.entries()) {
    const found = findExecutable(program, deps.env.PATH)
    const result = found === undefined ? undefined : deps.run(found, args, deps.env)
    if (result?.ok === true) continue
    const why = found === undefined ? `${program} was not found on PATH` : `\`${shellLine([program, ...args])}\` failed${result?.output ? `: ${result.output.trim()}` : ""}`
    const rest = commands.slice(index).map((c) => `  ${shellLine(c)}`).join("\n")
    throw new LanvaultError("SERVICE_FAILED", `${why}; ${state}. Fix that, then run:\n${rest}`)
  }
}

/** The full path of `program` in a PATH list, if it is there and executable. */
export function findExecutable(program: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(delimiter)) {
    if (dir === "") continue
    const candidate = join(dir, program)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

function serviceDeps(ctx: CliContext, command: Command): ServiceDeps {
  const env = ctx.io.env
  const environment: Record<string, string> = env.LANVAULT_SOCKET ? { LANVAULT_SOCKET: env.LANVAULT_SOCKET } : {}
  return {
    platform: process.platform,
    env,
    homeDir: env.HOME || homedir(),
    spec: { execPath: process.execPath, binPath: stableBinPath(env), home: ctx.home(command), environment },
    defaultHome: resolveHome(undefined, { ...env, LANVAULT_HOME: undefined }),
    run: runCommand,
    print: (text) => ctx.print(text),
  }
}

/**
 * The lanvault the service runs, at a path that stays: this very package when it
 * is an installed one (under node_modules), else the `lanvault` on PATH (a global
 * install or `npm link`), else this checkout. npx's cache is refused: it is
 * cleaned at npm's will, and the service would stop starting.
 */
export function stableBinPath(env: NodeJS.ProcessEnv, running: string = BIN_PATH): string {
  const real = realpathOr(running)
  if (real.includes(`${sep}_npx${sep}`)) {
    throw new LanvaultError("SERVICE_FAILED", "this lanvault runs from npx's temporary cache: install it first (`npm install -g lanvault`, or `npm install -g .` in a checkout), then run `lanvault service install` again")
  }
  if (real.includes(`${sep}node_modules${sep}`)) return real
  const onPath = findExecutable("lanvault", env.PATH)
  const target = onPath === undefined ? undefined : realpathOr(onPath)
  if (target !== undefined && target.endsWith(`${sep}lanvault.js`) && !target.includes(`${sep}_npx${sep}`)) return target
  return real
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

function runCommand(program: string, args: string[], env: NodeJS.ProcessEnv): { ok: boolean; output: string } {
  const result = spawnSync(program, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  return { ok: result.error === undefined && result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}` }
}

function supported(platform: NodeJS.Platform): NodeJS.Platform {
  if (platform === "linux" || platform === "darwin") return platform
  throw new LanvaultError("NOT_ALLOWED", `lanvault service supports Linux (systemd) and macOS (launchd), not ${platform}: run \`lanvault daemon\` from your system's startup tools`)
}

function systemctl(...args: string[]): string[] {
  return ["systemctl", "--user", ...args]
}

function shellLine(words: string[]): string {
  return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`)).join(" ")
}
