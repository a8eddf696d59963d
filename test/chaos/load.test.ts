import { afterAll, expect, it } from "vitest"
import type { LanvaultClient } from "../../src/api/client.js"
import { CLOSE_REASONS, DEFAULT_RATE_PER_MINUTE, MAX_STRANGERS_PER_ADDRESS } from "../../src/transport/index.js"
import { waitFor } from "../e2e/helpers/cli.js"
import { RogueConnection, TRUSTED_PATH } from "../e2e/helpers/rogue-peer.js"
import { chaosSeed, describeChaos, log, Rng, since, sized, sleep } from "./helpers/chaos-env.js"
import { LoopbackVault } from "./helpers/loopback-vault.js"

/**
 * Load and abuse (issue 7), on loopback: 1,000 connection attempts from one
 * address within a second are rate-limited while the daemon keeps answering its
 * socket and syncing with a real device; and one client does 1,000 puts while
 * several devices (ci: 4, full: 10) sync them and edit on their own.
 */

const FLOOD_ATTEMPTS = 1_000
const FLOOD_WAVES = 10
/** A source address of its own (127.0.0.0/8 is all loopback): the devices dial from 127.0.0.1. */
const FLOOD_FROM = "127.0.0.201"
const DEVICES = sized({ ci: 4, full: 10 })
const PUTS = 1_000
const PUT_CONCURRENCY = 4
const CONVERGE_TIMEOUT_MS = 180_000

const vaults: LoopbackVault[] = []
afterAll(async () => {
  for (const vault of vaults) await vault.destroy()
}, 60_000)

async function makeDevices(count: number, prefix: string): Promise<LoopbackVault[]> {
  const first = await LoopbackVault.create(`${prefix}0`)
  vaults.push(first)
  await first.init()
  await first.start()
  await first.unlock()
  const all = [first]
  for (let i = 1; i < count; i++) {
    const device = await LoopbackVault.create(`${prefix}${i}`)
    vaults.push(device)
    await device.joinThrough(first)
    await device.start()
    await device.unlock()
    all.push(device)
  }
  return all
}

async function titles(client: LanvaultClient): Promise<Set<string>> {
  return new Set((await client.call("records.list", {})).map((r) => r.title))
}

describeChaos("load and abuse", () => {
  it(`rate-limits ${FLOOD_ATTEMPTS} connection attempts from one address in a second; the socket API answers and a device keeps syncing`, async () => {
    const started = Date.now()
    const [a, b] = await makeDevices(2, "flood")
    await a.client!.call("records.create", { record: { type: "note", title: "before the flood" } })
    await waitFor(async () => (await titles(b.client!)).has("before the flood"), "b synced before the flood")

    const rogues: RogueConnection[] = []
    const outcomes: Array<Promise<number | "open" | "failed">> = []
    const latencies: number[] = []
    const floodStart = Date.now()
    for (let wave = 0; wave < FLOOD_WAVES; wave++) {
      for (let i = 0; i < FLOOD_ATTEMPTS / FLOOD_WAVES; i++) {
        outcomes.push(
          RogueConnection.open(a.port, { path: TRUSTED_PATH, from: FLOOD_FROM, timeoutMs: 10_000 }).then(async (rogue) => {
            rogues.push(rogue)
            return (await rogue.closedWithin(3_000))?.code ?? "open"
          }, () => "failed" as const),
        )
      }
      const before = Date.now()
      await a.client!.call("status", {})
      latencies.push(Date.now() - before)
      await sleep(Math.max(0, floodStart + ((wave + 1) * 1_000) / FLOOD_WAVES - Date.now()))
    }
    const floodMs = Date.now() - floodStart
    // Meanwhile the real device still syncs.
    await a.client!.call("records.create", { record: { type: "note", title: "during the flood" } })
    const results = await Promise.all(outcomes)
    for (const rogue of rogues) rogue.terminate()
    const limited = results.filter((r) => r === CLOSE_REASONS["rate limited"]).length
    const tooMany = results.filter((r) => r === CLOSE_REASONS["too many connections"]).length
    const admitted = results.filter((r) => r === "open").length
    const failed = results.filter((r) => r === "failed").length
    log(
      `load: ${FLOOD_ATTEMPTS} attempts in ${floodMs} ms: ${limited} rate limited, ${admitted} admitted, ${failed} cut at TCP level, ` +
        `${tooMany} too many connections, ${results.length - limited - tooMany - admitted - failed} closed otherwise; socket API latency max ${Math.max(...latencies)} ms`,
    )
    expect(floodMs).toBeLessThan(1_500)
    // Issue 11 item 12: one address holds at most a few unproved links; past its pending sockets it is cut at
    // the TCP level, and what gets through is told why (rate limited, too many connections).
    expect(admitted).toBeLessThanOrEqual(Math.min(DEFAULT_RATE_PER_MINUTE, MAX_STRANGERS_PER_ADDRESS))
    expect(limited + tooMany + failed).toBeGreaterThanOrEqual(FLOOD_ATTEMPTS * 0.9)
    expect(limited + tooMany).toBeGreaterThan(0)
    expect(Math.max(...latencies)).toBeLessThan(1_000)
    await waitFor(async () => (await titles(b.client!)).has("during the flood"), "b synced during the flood", 15_000)
    expect((await a.client!.call("status", {})).locked).toBe(false)
    log(`load: flood test ${since(started)}`)
  })

  it(`a client does ${PUTS} puts while ${DEVICES} devices sync and edit: every put acknowledged, every device ends with all of them`, async () => {
    const rng = new Rng(chaosSeed("load puts"))
    const started = Date.now()
    const devices = await makeDevices(DEVICES, "load")
    const [hub, ...others] = devices
    const setupMs = Date.now() - started
    await waitFor(async () => (await hub.client!.call("devices.list", {})).filter((d) => d.state === "connected").length === others.length, "every device linked to the hub", 60_000)

    // The other devices edit records of their own all along.
    let stopEditing = false
    const editors = others.map(async (device, index) => {
      const { id } = await device.client!.call("records.create", { record: { type: "login", title: `own of ${index}` } })
      let edits = 0
      while (!stopEditing) {
        await device.client!.call("records.update", { id, set: { fields: { password: { value: `${index}-${edits++}-${rng.word(8)}`, kind: "secret" } } } })
        await sleep(rng.int(50, 250))
      }
      return edits
    })

    const putClient = await hub.connectClient()
    const latencies: number[] = []
    let next = 0
    const putsStart = Date.now()
    await Promise.all(
      Array.from({ length: PUT_CONCURRENCY }, async () => {
        while (next < PUTS) {
          const n = next++
          const before = Date.now()
          await putClient.call("records.create", {
            record: { type: "login", title: `put ${n}`, fields: { username: { value: `u${n}`, kind: "text" }, password: { value: rng.word(20), kind: "secret" } } },
          })
          latencies.push(Date.now() - before)
        }
      }),
    )
    const putsMs = Date.now() - putsStart
    stopEditing = true
    const edits = (await Promise.all(editors)).reduce((a, b) => a + b, 0)

    const convergeStart = Date.now()
    const expected = PUTS + others.length
    for (const device of devices) {
      await waitFor(async () => (await device.client!.call("records.list", {})).length === expected, `${device.name} holding all ${expected} records`, CONVERGE_TIMEOUT_MS)
    }
    const convergeMs = Date.now() - convergeStart
    const lists = await Promise.all(devices.map(async (d) => [...(await titles(d.client!))].sort().join("\n")))
    expect(lists.every((list) => list === lists[0])).toBe(true)
    latencies.sort((x, y) => x - y)
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
    log(
      `load: ${DEVICES} devices set up in ${(setupMs / 1000).toFixed(1)} s; ${PUTS} puts in ${(putsMs / 1000).toFixed(1)} s ` +
        `(${Math.round((PUTS * 1000) / putsMs)}/s, latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms) with ${edits} concurrent edits on the others; ` +
        `all devices converged ${(convergeMs / 1000).toFixed(1)} s after the last put; ${since(started)} in all`,
    )
    expect(latencies.length).toBe(PUTS)
    expect(p(0.99)).toBeLessThan(2_000)
  })
})
