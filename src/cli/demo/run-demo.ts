import { randomBytes } from "node:crypto"
import type { Writable } from "node:stream"
import { CliError } from "../cli-error.js"
import { CleanupStack } from "./cleanup-stack.js"
import { showConflict } from "./demo-conflict.js"
import type { DemoDevice } from "./demo-device.js"
import { showCreate, showRemoteEdit } from "./demo-edits.js"
import { setUpFleet, type DemoDeps } from "./demo-setup.js"
import { formatLatency, Narrator } from "./narrator.js"

/** Exit code of a demo stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130

/** Random bytes of the generated account password (base64url: 32 characters). */
const PASSWORD_BYTES = 24

/** How long an interrupted scenario may take to notice its daemons are gone. */
const SCENARIO_SETTLE_MS = 3_000

/** How `lanvault demo` runs. */
export interface DemoOptions {
  /** Keep the temporary homes (and print their paths and the password) instead of removing them. */
  keep: boolean
  /** Aborted on Ctrl-C: the demo stops its daemons, removes its homes and fails with exit 130. */
  signal?: AbortSignal
}

const INTRO = `lanvault demo: three devices on this machine (alpha, beta, gamma) pair and sync over loopback.
Each is a real \`lanvault daemon\` with its own temporary home; the demo types the commands for you.`

/**
 * `lanvault demo`: starts three devices, pairs them, shows edits arriving and a
 * concurrent edit merging without loss, narrated on `out`. Stops every daemon and
 * removes every home at the end, also after a failure or an abort.
 */
export async function runDemo(out: Writable, options: DemoOptions): Promise<void> {
  const deps: DemoDeps = { cleanup: new CleanupStack(), narrator: new Narrator(out) }
  const devices: DemoDevice[] = []
  const password = randomBytes(PASSWORD_BYTES).toString("base64url")
  deps.narrator.say(INTRO)
  const scenario = play(deps, { keep: options.keep, password }, devices)
  // Once aborted, nobody awaits the scenario any more: its failure (its daemons are gone) is expected.
  scenario.catch(() => {})
  try {
    await Promise.race([scenario, rejectOnAbort(options.signal, options.keep)])
  } catch (error) {
    if (options.signal?.aborted) deps.narrator.silence()
    await deps.cleanup.run()
    // With its daemons gone the scenario fails fast; wait for it so nothing is created after we return.
    await settled(scenario, SCENARIO_SETTLE_MS)
    if (options.keep) printKept(out, devices, password)
    throw asDemoFailure(error, options.signal)
  }
  await deps.cleanup.run()
  deps.narrator.say(`\nDone in ${formatLatency(deps.narrator.elapsedMs)}: every edit reached every device, and the conflict lost nothing.`)
  if (options.keep) printKept(out, devices, password)
  else deps.narrator.say("Stopped the three daemons and removed their temporary homes.")
}

async function play(deps: DemoDeps, options: { keep: boolean; password: string }, devices: DemoDevice[]): Promise<void> {
  const fleet = await setUpFleet(deps, options, devices)
  const id = await showCreate(deps, fleet)
  await showRemoteEdit(deps, fleet, id)
  await showConflict(deps, fleet, id)
}

/** With --keep the homes stay, so the person needs the generated password to open them. */
function printKept(out: Writable, devices: DemoDevice[], password: string): void {
  if (devices.length === 0) return
  out.write(`The demo's daemons are stopped; their homes are kept (account password: ${password}):\n`)
  for (const device of devices) out.write(`  ${device.name.padEnd(5)}  ${device.home}\n`)
  out.write(`Look around: lanvault --home ${devices[0].home} daemon --port ${devices[0].port} --no-mdns, then lanvault --home … unlock; remove them with rm -r when done.\n`)
}

function rejectOnAbort(signal: AbortSignal | undefined, keep: boolean): Promise<never> {
  return new Promise((_, reject) => {
    if (signal === undefined) return
    const what = keep ? "the demo's daemons were stopped" : "the demo's daemons were stopped and its homes removed"
    const abort = () => reject(new CliError(`interrupted: ${what}`, EXIT_INTERRUPTED))
    if (signal.aborted) abort()
    else signal.addEventListener("abort", abort, { once: true })
  })
}

function asDemoFailure(error: unknown, signal: AbortSignal | undefined): CliError {
  if (error instanceof CliError && (signal?.aborted || error.exitCode === EXIT_INTERRUPTED)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new CliError(`the demo failed: ${message}`)
}

function settled(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    )
  })
}
