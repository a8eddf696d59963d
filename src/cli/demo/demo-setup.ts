import { CliError } from "../cli-error.js"
import type { CleanupStack } from "./cleanup-stack.js"
import { DemoDevice } from "./demo-device.js"
import type { Narrator } from "./narrator.js"
import { poll } from "./poll.js"

/** The three devices, in the order they join. */
export const DEVICE_NAMES = ["alpha", "beta", "gamma"] as const
const PAIRING_WINDOW_SECONDS = 60
const PAIRING_OPEN_TIMEOUT_MS = 10_000
const LINK_TIMEOUT_MS = 15_000

/** What the demo's steps share. */
export interface DemoDeps {
  cleanup: CleanupStack
  narrator: Narrator
}

/** Three devices of one account, daemons running and unlocked, each linked to the other two. */
export interface Fleet {
  alpha: DemoDevice
  beta: DemoDevice
  gamma: DemoDevice
  all: DemoDevice[]
}

/**
 * Creates the three devices (pushing each onto `created` as soon as it exists,
 * so the caller can report its home even after a failure), makes the account on
 * alpha with `password`, pairs beta and gamma through it, and waits until all are linked.
 */
export async function setUpFleet(deps: DemoDeps, options: { keep: boolean; password: string }, created: DemoDevice[]): Promise<Fleet> {
  for (const name of DEVICE_NAMES) created.push(await DemoDevice.create(deps, { name, keepHome: options.keep }))
  const [alpha, beta, gamma] = created
  const { password } = options
  const accountKey = await createAccount(deps, alpha, password)
  await joinThrough(deps, beta, alpha, accountKey)
  await startAndUnlock(deps, beta, password)
  await joinThrough(deps, gamma, alpha, accountKey)
  // gamma dials beta too; beta must have heard of gamma from alpha first, or it would refuse the link.
  await waitUntilKnown(beta, gamma)
  await startAndUnlock(deps, gamma, password, [beta.address])
  await waitUntilLinked(deps, created)
  return { alpha, beta, gamma, all: created }
}

/** `init` on the first device, then its daemon; returns the account key. */
async function createAccount(deps: DemoDeps, device: DemoDevice, password: string): Promise<string> {
  deps.narrator.step(`${device.name} creates the account`)
  deps.narrator.command(device.name, ["init", "--name", device.name], "the password comes from LANVAULT_PASSWORD (generated)")
  const stdout = await device.run(["init", "--name", device.name, "--json"], { env: { LANVAULT_PASSWORD: password } })
  const { accountKey, deviceId } = JSON.parse(stdout) as { accountKey: string; deviceId: string }
  device.deviceId = deviceId
  deps.narrator.detail(`account key ${accountKey}  (shown once: a new device needs it, and the password)`)
  await startAndUnlock(deps, device, password)
  return accountKey
}

/** `pair` on `host` and `join` on `newcomer`, printing the six-digit code each shows. */
async function joinThrough(deps: DemoDeps, newcomer: DemoDevice, host: DemoDevice, accountKey: string): Promise<void> {
  const { narrator } = deps
  narrator.step(`${newcomer.name} joins the account through ${host.name}`)
  narrator.command(host.name, ["pair", "--seconds", String(PAIRING_WINDOW_SECONDS)], `opens ${host.name}'s pairing window`)
  // The demo answers yes to "Does the new device show <code>?"; it then checks both codes itself.
  const pair = host.spawn(["pair", "--seconds", String(PAIRING_WINDOW_SECONDS), "--json"], { input: "y\n" })
  await pair.waitForStdout('"until"', PAIRING_OPEN_TIMEOUT_MS)
  const joinArgs = ["join", "--peer", host.address, "--account-key-stdin", "--name", newcomer.name]
  narrator.command(newcomer.name, joinArgs, "the account key on stdin")
  const joined = JSON.parse(await newcomer.run([...joinArgs, "--json"], { input: `${accountKey}\n` })) as { deviceId: string; code: string }
  newcomer.deviceId = joined.deviceId
  const hostCode = await pairingCode(host, pair)
  narrator.detail(`pairing code on ${newcomer.name.padEnd(5)}  ${joined.code}`)
  narrator.detail(`pairing code on ${host.name.padEnd(5)}  ${hostCode}  ${hostCode === joined.code ? "✓ the same on both: nobody sat in the middle" : "✗ DIFFERENT"}`)
  if (hostCode !== joined.code) throw new CliError(`the pairing codes differ (${joined.code} on ${newcomer.name}, ${hostCode} on ${host.name})`)
}

/** The code `pair --json` printed (its last line) once a device joined. */
async function pairingCode(host: DemoDevice, pair: ReturnType<DemoDevice["spawn"]>): Promise<string> {
  const result = await pair.result()
  if (result.code !== 0) throw new CliError(`${host.name}: \`lanvault pair\` failed (exit ${result.code}): ${result.stderr.trim()}`)
  const last = result.stdout.trim().split("\n").at(-1) ?? "{}"
  return (JSON.parse(last) as { code?: string }).code ?? "?"
}

/** Starts the device's daemon (dialing `peers` besides the devices it knows) and unlocks it. */
async function startAndUnlock(deps: DemoDeps, device: DemoDevice, password: string, peers: string[] = []): Promise<void> {
  deps.narrator.command(device.name, device.daemonArgs(peers), "its daemon, in the background")
  await device.startDaemon(peers)
  deps.narrator.command(device.name, ["unlock"])
  const { records } = await device.call("unlock", { password })
  deps.narrator.detail(`unlocked, ${records} record${records === 1 ? "" : "s"}`)
}

/** Waits until `device` has `other` in its trust list (alpha tells the devices it is linked to). */
async function waitUntilKnown(device: DemoDevice, other: DemoDevice): Promise<void> {
  const knows = async () => ((await device.call("devices.list", {})).some((d) => d.deviceId === other.deviceId) ? true : undefined)
  await poll(knows, `${device.name} to learn about ${other.name}`, LINK_TIMEOUT_MS)
}

/** Waits until each device reports the other two as connected. */
async function waitUntilLinked(deps: DemoDeps, devices: DemoDevice[]): Promise<void> {
  deps.narrator.step("each device links to the other two (Noise over WebSockets, loopback)")
  const startedAt = deps.narrator.elapsedMs
  for (const device of devices) {
    await poll(async () => ((await connectedPeers(device)) >= devices.length - 1 ? true : undefined), `${device.name} to link to the others`, LINK_TIMEOUT_MS)
  }
  const pairs = devices.flatMap((a, i) => devices.slice(i + 1).map((b) => `${a.name} ↔ ${b.name}`))
  deps.narrator.detail(`${pairs.join(", ")}  (${Math.round(deps.narrator.elapsedMs - startedAt)} ms)`)
}

async function connectedPeers(device: DemoDevice): Promise<number> {
  const devices = await device.call("devices.list", {})
  return devices.filter((d) => !d.self && !d.revoked && d.state === "connected").length
}
