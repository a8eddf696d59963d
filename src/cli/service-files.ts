import { createHash } from "node:crypto"
import { join, resolve } from "node:path"

/** The systemd user unit's file name for the default home. */
export const SYSTEMD_UNIT_NAME = "lanvault.service"
/** The launchd agent's label (and file name, with `.plist`) for the default home. */
export const LAUNCHD_LABEL = "com.lanvault.daemon"

/** A service's names: one unit (agent) per home, so two homes never overwrite each other's. */
export interface ServiceNames {
  /** systemd unit file name, e.g. `lanvault.service` or `lanvault-3f2a9c1d.service`. */
  unit: string
  /** launchd label, e.g. `com.lanvault.daemon` or `com.lanvault.daemon.3f2a9c1d`. */
  label: string
}

/**
 * The names of the service serving `home`: the plain names for the default home,
 * else the plain names plus the first 8 hex digits of SHA-256 of the absolute
 * home path (stable: the same home always gets the same unit).
 */
export function serviceNames(home: string, defaultHome: string | undefined): ServiceNames {
  if (defaultHome !== undefined && resolve(home) === resolve(defaultHome)) return { unit: SYSTEMD_UNIT_NAME, label: LAUNCHD_LABEL }
  const tag = createHash("sha256").update(resolve(home)).digest("hex").slice(0, 8)
  return { unit: `lanvault-${tag}.service`, label: `${LAUNCHD_LABEL}.${tag}` }
}
/** Seconds systemd waits before restarting a failed daemon. */
const RESTART_DELAY_SECONDS = 5

/** What the service runs: `<execPath> <binPath> daemon --home <home>`. */
export interface ServiceSpec {
  /** The Node.js executable (process.execPath). */
  execPath: string
  /** Absolute path of bin/lanvault.js. */
  binPath: string
  /** The home the daemon serves. */
  home: string
  /** Extra environment for the daemon (e.g. LANVAULT_SOCKET when set at install time). */
  environment?: Record<string, string>
}

/**
 * Node flags of the background daemon (read only when V8 starts): one V8 helper thread
 * instead of 4. Its garbage collector marks and sweeps the heap on all of them at once, so
 * on a 2-core machine two busy daemons' collectors took both cores from the threads that
 * answer (measured: a third of a daemon's CPU during back-to-back edits, and edit A → event B
 * p99 9.7–11.1 ms against 7.5–8.9 ms with one). The young generation is kept small at rest by
 * the bin (daemon-heap.ts) and may grow during long work: a `--max-semi-space-size=2` cap here
 * (until this round) made a 100k-record join cost 2.9 s more CPU.
 * `npm run bench` runs every daemon this way, and one "as `lanvault daemon` runs it" for comparison.
 */
export const DAEMON_NODE_FLAGS = ["--v8-pool-size=1"]

/** The daemon's command line. */
export function daemonArgv(spec: ServiceSpec): string[] {
  return [spec.execPath, ...DAEMON_NODE_FLAGS, spec.binPath, "daemon", "--home", spec.home]
}

function serviceEnvironment(spec: ServiceSpec): Array<[string, string]> {
  return Object.entries(spec.environment ?? {})
}

/** Where the service file goes: the systemd user dir (XDG_CONFIG_HOME respected) or ~/Library/LaunchAgents. */
export function serviceFilePath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, homeDir: string, names: ServiceNames = serviceNames("", "")): string {
  if (platform === "darwin") return join(homeDir, "Library", "LaunchAgents", `${names.label}.plist`)
  return join(env.XDG_CONFIG_HOME || join(homeDir, ".config"), "systemd", "user", names.unit)
}

/** The text of the systemd user unit. */
export function systemdUnit(spec: ServiceSpec): string {
  const environment = serviceEnvironment(spec).map(([name, value]) => `Environment=${systemdQuote(`${name}=${value}`)}`)
  return [
    "[Unit]",
    `Description=lanvault daemon for ${spec.home.replace(/[%\n]/g, "_")}: encrypted password vault synced between your devices over the LAN`,
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${daemonArgv(spec).map(systemdQuote).join(" ")}`,
    ...environment,
    "Restart=on-failure",
    `RestartSec=${RESTART_DELAY_SECONDS}`,
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ].join("\n")
}

/** The text of the launchd agent (restarted when it exits with an error). */
export function launchdPlist(spec: ServiceSpec, label: string = LAUNCHD_LABEL): string {
  const strings = (values: string[]) => values.map((value) => `    <string>${xmlEscape(value)}</string>`)
  const environment = serviceEnvironment(spec)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    "<dict>",
    `  <key>Label</key>\n  <string>${xmlEscape(label)}</string>`,
    "  <key>ProgramArguments</key>\n  <array>",
    ...strings(daemonArgv(spec)),
    "  </array>",
    ...(environment.length === 0
      ? []
      : ["  <key>EnvironmentVariables</key>\n  <dict>", ...environment.map(([k, v]) => `    <key>${xmlEscape(k)}</key>\n    <string>${xmlEscape(v)}</string>`), "  </dict>"]),
    "  <key>RunAtLoad</key>\n  <true/>",
    "  <key>KeepAlive</key>\n  <dict>\n    <key>SuccessfulExit</key>\n    <false/>\n  </dict>",
    `  <key>StandardErrorPath</key>\n  <string>${xmlEscape(join(spec.home, "daemon.stderr.log"))}</string>`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n")
}

/**
 * One ExecStart/Environment word: `%` and `$` doubled (systemd specifiers and
 * variables), and double-quoted with C escapes when it holds a space or a quote.
 */
export function systemdQuote(word: string): string {
  const escaped = word.replace(/%/g, "%%").replace(/\$/g, "$$$$")
  if (escaped !== "" && !/[\s"'\\;]/.test(escaped)) return escaped
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;")
}
