/**
 * One run of the discovery benchmark on two netns hosts.
 *
 * Setup (not timed): host 1 inits an account, starts its daemon, unlocks, adds a
 * record and opens its pairing window; host 2 `join`s by mDNS (inside its
 * namespace, no address given), starts its daemon, unlocks and receives the
 * record. Both daemons stop, and the remembered peer addresses (`peers.known`,
 * `peers.manual`, `peers.shared` in `meta`) are deleted from both vault.db files,
 * so that host 2 can only find host 1 by mDNS.
 *
 * Timed: both daemons are spawned back to back (t0 = the first spawn); each side
 * unlocks as soon as its socket answers; host 1 creates a new record right after
 * its unlock; the figure is t0 → `record.changed` for that record on host 2.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import type { LanvaultClient } from "../../src/api/client.js"
import type { EventParams } from "../../src/api/protocol.js"
import type { TestHost } from "../../test/hosts/netns.js"
import { runCli, waitFor } from "../../test/e2e/helpers/cli.js"
import { whileConfirming } from "../../test/helpers/pairing.js"
import { HostDaemon, nowMs, sleep } from "./host-daemon.js"
import { PacketTrace, type TracedPacket } from "./packet-trace.js"

export const PASSWORD = "correct horse battery"
/** Meta keys holding remembered peer addresses (src/account/account.ts META). */
export const PEER_META_KEYS = ["peers.known", "peers.manual", "peers.shared"] as const
const SYNC_TIMEOUT_MS = 30_000
const STATUS_POLL_MS = 50
const GET_FALLBACK_MS = 250
const EVENT_CHECK_MS = 5

export interface RunOptions {
  /** LANVAULT_LOG_LEVEL of the timed daemons. */
  logLevel: string
  /** Capture packets (tcpdump in host 1's namespace). */
  trace: boolean
  /** The `lanvault` bin of the timed daemons (default: this checkout's); setup always uses this checkout's. */
  bin?: string
  /** Called with every temp home made, so an interrupt can remove it. */
  track: (path: string) => void
}

/** Milliseconds from t0 (the first spawn) unless said otherwise. */
export interface RunResult {
  ok: boolean
  error?: string
  /** Host 2's spawn minus host 1's (ms). */
  spawnSkew: number
  synced?: number
  syncedVia?: "event" | "poll"
  h1: SideTimes
  h2: SideTimes
  created?: number
  createToSynced?: number
  /** Remembered addresses deleted before the timed part, per host. */
  scrubbed: { h1: Record<string, string>; h2: Record<string, string> }
  /** 1-minute load average just before the timed part (other work competing for the cpus inflates every figure). */
  loadBefore?: number
  packets?: Array<{ at: number; from: string; kind: string; summary: string }>
  logs?: { h1: string; h2: string }
}

export interface SideTimes {
  /** Spawn of this daemon → its socket accepts a connection. */
  socket?: number
  /** Duration of the `unlock` call. */
  unlock?: number
  /** t0 → the `unlock` call returned. */
  unlocked?: number
  /** t0 → a sync link to the other host seen (status state idle/syncing, or a peer.connected event). */
  linkUp?: number
  linkSeenVia?: "status" | "event"
  /** From the daemon's own log lines (pino time), t0 → … */
  log: {
    mdnsStarted?: number
    daemonStarted?: number
    sessionStarted?: number
    vaultUnlocked?: number
    dialFailures: number
    refusals: number
  }
}

export async function benchRun(hosts: readonly TestHost[], options: RunOptions): Promise<RunResult> {
  const [h1, h2] = hosts
  const home1 = tempHome(`lvbench-${h1.name}-`, options)
  const home2 = tempHome(`lvbench-${h2.name}-`, options)
  const one = new HostDaemon(h1, home1, "info")
  const two = new HostDaemon(h2, home2, "info")
  try {
    await setup(one, two)
    const scrubbed = { h1: scrubPeers(home1), h2: scrubPeers(home2) }
    const timedOne = new HostDaemon(h1, home1, options.logLevel, options.bin)
    const timedTwo = new HostDaemon(h2, home2, options.logLevel, options.bin)
    return await timed(timedOne, timedTwo, scrubbed, options, hosts)
  } finally {
    await one.stop()
    await two.stop()
    rmSync(home1, { recursive: true, force: true })
    rmSync(home2, { recursive: true, force: true })
  }
}

function tempHome(prefix: string, options: RunOptions): string {
  const home = mkdtempSync(join(tmpdir(), prefix))
  options.track(home)
  return home
}

async function setup(one: HostDaemon, two: HostDaemon): Promise<void> {
  const init = await runCli(["init", "--name", "one", "--json"], { home: one.home, env: { LANVAULT_PASSWORD: PASSWORD } })
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`)
  const accountKey = (JSON.parse(init.stdout) as { accountKey: string }).accountKey
  one.spawn()
  await one.waitSocket()
  const c1 = await one.client()
  let c2: LanvaultClient | undefined
  try {
    await c1.call("unlock", { password: PASSWORD })
    await c1.call("records.create", { record: { type: "note", title: "setup record" } })
    await c1.call("pairing.open", { seconds: 60 })
    const { result: joined } = await whileConfirming(c1, () => two.cli(["join", "--account-key-stdin", "--name", "two", "--json"], `${accountKey}\n`))
    if (joined.code !== 0) throw new Error(`join on ${two.host.name} failed (${joined.code}): ${joined.stderr}`)
    await c1.call("pairing.close", {})
    two.spawn()
    await two.waitSocket()
    c2 = await two.client()
    await c2.call("unlock", { password: PASSWORD })
    const client2 = c2
    await waitFor(async () => (await client2.call("records.list", {})).some((r) => r.title === "setup record"), "the setup record on host 2", SYNC_TIMEOUT_MS)
  } finally {
    c1.close()
    c2?.close()
    await two.stop()
    await one.stop()
  }
}

/** Deletes the remembered peer addresses from a stopped daemon's vault.db; returns what was there. */
export function scrubPeers(home: string): Record<string, string> {
  const db = new Database(join(home, "vault.db"))
  try {
    const removed: Record<string, string> = {}
    const get = db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?")
    const del = db.prepare("DELETE FROM meta WHERE key = ?")
    for (const key of PEER_META_KEYS) {
      const row = get.get(key)
      if (row) removed[key] = row.value
      del.run(key)
    }
    for (const key of PEER_META_KEYS) if (get.get(key)) throw new Error(`${key} is still in ${home}/vault.db`)
    return removed
  } finally {
    db.close()
  }
}

interface Side {
  daemon: HostDaemon
  client?: LanvaultClient
  events: Array<{ at: number; event: EventParams }>
  times: Omit<SideTimes, "log">
  unlockedAt?: number
}

async function timed(
  one: HostDaemon,
  two: HostDaemon,
  scrubbed: RunResult["scrubbed"],
  options: RunOptions,
  hosts: readonly TestHost[],
): Promise<RunResult> {
  const names = new Map(hosts.map((h) => [h.address, h.name]))
  const trace = options.trace ? new PacketTrace(one.host, names) : undefined
  await trace?.start()
  const s1: Side = { daemon: one, events: [], times: {} }
  const s2: Side = { daemon: two, events: [], times: {} }
  let recordId: string | undefined
  let createdAt: number | undefined
  let syncedAt: number | undefined
  let syncedVia: RunResult["syncedVia"]
  let finished = false
  let error: string | undefined

  const loadBefore = loadavg()[0]
  const t0 = one.spawn()
  two.spawn()
  const since = (at: number | undefined) => (at === undefined ? undefined : at - t0)

  const bringUp = async (side: Side): Promise<void> => {
    const socketAt = await side.daemon.waitSocket()
    side.times.socket = socketAt - side.daemon.spawnedAt
    const client = await side.daemon.client()
    side.client = client
    await client.subscribe(["record.changed", "peer.connected"], (event) => {
      const at = nowMs()
      side.events.push({ at, event })
      if (event.type === "peer.connected" && side.times.linkUp === undefined) {
        side.times.linkUp = at - t0
        side.times.linkSeenVia = "event"
      }
    })
    void watchLink(side, client)
    const started = nowMs()
    await client.call("unlock", { password: PASSWORD })
    side.unlockedAt = nowMs()
    side.times.unlock = side.unlockedAt - started
    side.times.unlocked = side.unlockedAt - t0
  }

  /** Polls status until a peer's state is idle or syncing (the link is up); the peer.connected event is usually first and exact, the poll catches a link made before the subscription. */
  const watchLink = async (side: Side, client: LanvaultClient): Promise<void> => {
    while (!finished && side.times.linkUp === undefined) {
      try {
        const status = await client.call("status", {})
        if (side.times.linkUp === undefined && status.peers.some((p) => p.state === "idle" || p.state === "syncing")) {
          side.times.linkUp = nowMs() - t0
          side.times.linkSeenVia = "status"
        }
      } catch {
        return
      }
      await sleep(STATUS_POLL_MS)
    }
  }

  const hostOne = async (): Promise<void> => {
    await bringUp(s1)
    const { id } = await s1.client!.call("records.create", { record: { type: "note", title: `timed record ${t0}` } })
    createdAt = nowMs()
    recordId = id
  }

  /**
   * record.changed for the new record on host 2 (timestamped as it arrives). Entries that
   * arrive while host 2 is still locked are merged at its unlock without an event, so
   * records.get is asked once as soon as the id is known (host 2 is unlocked by then),
   * and then only every 250 ms as a fallback.
   */
  const hostTwo = async (): Promise<void> => {
    await bringUp(s2)
    const deadline = nowMs() + SYNC_TIMEOUT_MS
    let nextGet = 0
    while (syncedAt === undefined) {
      if (recordId !== undefined) {
        const hit = s2.events.find((e) => e.event.type === "record.changed" && e.event.id === recordId && e.event.origin === "remote")
        if (hit) {
          syncedAt = hit.at
          syncedVia = "event"
          break
        }
        if (nowMs() >= nextGet) {
          nextGet = nowMs() + GET_FALLBACK_MS
          try {
            await s2.client!.call("records.get", { id: recordId })
            const late = s2.events.find((e) => e.event.type === "record.changed" && e.event.id === recordId)
            syncedAt = late?.at ?? nowMs()
            syncedVia = late ? "event" : "poll"
            break
          } catch {
            // not there yet
          }
        }
      }
      if (nowMs() > deadline) throw new Error(`the new record did not reach host 2 within ${SYNC_TIMEOUT_MS} ms`)
      await sleep(EVENT_CHECK_MS)
    }
  }

  try {
    await Promise.all([hostOne(), hostTwo()])
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught)
  } finally {
    finished = true
  }
  s1.client?.close()
  s2.client?.close()
  const packets = trace ? await trace.stop() : undefined
  await one.stop()
  await two.stop()
  return {
    ok: error === undefined,
    error,
    spawnSkew: two.spawnedAt - one.spawnedAt,
    loadBefore,
    synced: since(syncedAt),
    syncedVia,
    created: since(createdAt),
    createToSynced: syncedAt !== undefined && createdAt !== undefined ? syncedAt - createdAt : undefined,
    h1: { ...s1.times, log: logTimes(one, t0, syncedAt) },
    h2: { ...s2.times, log: logTimes(two, t0, syncedAt) },
    scrubbed,
    packets: packets?.map((p: TracedPacket) => ({ at: p.time - t0, from: p.from, kind: p.kind, summary: p.summary })),
    logs: { h1: one.raw, h2: two.raw },
  }
}

/** Log-derived times; failures are counted up to the sync (the shutdown after it dials and refuses too). */
function logTimes(daemon: HostDaemon, t0: number, until = Infinity): SideTimes["log"] {
  const rel = (offset: number | undefined) => (offset === undefined ? undefined : offset + daemon.spawnedAt - t0)
  return {
    mdnsStarted: rel(daemon.firstLog("mDNS discovery started")),
    daemonStarted: rel(daemon.firstLog("daemon started")),
    sessionStarted: rel(daemon.firstLog("sync session started")),
    vaultUnlocked: rel(daemon.firstLog("vault unlocked")),
    dialFailures: daemon.countLogs("dial failed", until),
    refusals: daemon.countLogs(/refused/, until),
  }
}
