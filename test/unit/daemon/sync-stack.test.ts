import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import { META, writeAccountKey, type AccountContext } from "../../../src/account/index.js"
import type { EventParams } from "../../../src/api/protocol.js"
import { toHex } from "../../../src/crypto/index.js"
import { SyncStack } from "../../../src/daemon/sync-stack.js"
import type { LogEntry } from "../../../src/store/index.js"
import type { LocalEntrySink, VaultService } from "../../../src/vault/index.js"
import { makeAccount, sealOwn, TRUST_KEY, type Account, type Device } from "../sync/sync-fixtures.js"

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The vault session as the stack uses it: its changes (what arrives is merged, sinks take what it commits), and the key events it subscribes to. */
function fakeVault() {
  const applied: LogEntry[] = []
  const sinks = new Set<LocalEntrySink>()
  const subscriptions = new Map<string, number>()
  const vault = {
    locked: true,
    changes: {
      applyRemote: (entries: LogEntry[]) => void applied.push(...entries),
      applySnapshot: () => {},
      addSink: (sink: LocalEntrySink) => {
        sinks.add(sink)
        return () => sinks.delete(sink)
      },
    },
    refreshKeys: () => {},
    trustKey: () => TRUST_KEY,
    keys: {
      trustPublicKey: () => TRUST_KEY.publicKey,
      acceptKeyset: () => false,
      on: (event: string) => {
        subscriptions.set(event, (subscriptions.get(event) ?? 0) + 1)
        return () => subscriptions.set(event, subscriptions.get(event)! - 1)
      },
    },
  }
  return { applied, sinks, subscriptions, vault: vault as unknown as VaultService }
}

describe("SyncStack", () => {
  const home = mkdtempSync(join(tmpdir(), "lanvault-sync-stack-"))
  const stacks: SyncStack[] = []
  afterEach(async () => {
    await Promise.all(stacks.splice(0).map((stack) => stack.stop()))
  })
  afterAll(() => rmSync(home, { recursive: true, force: true }))

  function stackOf(account: Account, device: Device, peers: string[] = []) {
    const deviceHome = mkdtempSync(join(home, "device-"))
    writeAccountKey(deviceHome, device.accountKey)
    device.store.setMeta(META.accountId, toHex(account.accountId))
    const context: AccountContext = { accountId: toHex(account.accountId), accountIdBytes: account.accountId, deviceId: device.deviceId, generation: 1 }
    const events: EventParams[] = []
    const fake = fakeVault()
    const stack = new SyncStack(
      { store: device.store, home: deviceHome, logger: device.logger, vault: fake.vault, account: context, publish: (event) => void events.push(event) },
      { host: "127.0.0.1", port: 0, peers, mdns: false },
    )
    stacks.push(stack)
    return { stack, events, ...fake }
  }

  it("links two devices and tells the socket who connected, by name; status lists the linked peer", async () => {
    const account = makeAccount(["alpha", "beta"])
    const [a, b] = account.devices
    const left = stackOf(account, a)
    await left.stack.start()
    const right = stackOf(account, b, [`127.0.0.1:${left.stack.network.port}`])
    await right.stack.start()
    await until(() => right.events.some((e) => e.type === "peer.connected") && left.events.some((e) => e.type === "peer.connected"), "both sides to connect")
    expect(right.events.find((e) => e.type === "peer.connected")).toMatchObject({ deviceId: a.deviceId, name: "alpha" })
    expect(left.events.find((e) => e.type === "peer.connected")).toMatchObject({ deviceId: b.deviceId, name: "beta" })
    expect(right.stack.peers()).toEqual([expect.objectContaining({ deviceId: a.deviceId, name: "alpha", address: `127.0.0.1:${left.stack.network.port}`, how: "static" })])
  })

  it("entries one device's vault commits go through its sinks to the other's vault, with no wiring of the stack's own on the way", async () => {
    const account = makeAccount(["alpha", "beta"])
    const [a, b] = account.devices
    const left = stackOf(account, a)
    await left.stack.start()
    const right = stackOf(account, b, [`127.0.0.1:${left.stack.network.port}`])
    await right.stack.start()
    await until(() => left.events.some((e) => e.type === "peer.connected"), "the link")
    const entries = sealOwn(account, a, 1, 3)
    for (const entry of entries) a.store.appendOwn(entry)
    // The stack made the replicator and the folders the vault's sinks: VaultChanges.persist calls them directly.
    expect([...left.sinks]).toEqual([left.stack.replicator, left.stack.folders])
    for (const sink of left.sinks) sink.publishLocal(entries)
    await until(() => right.applied.length === 3, "b's vault to get the entries")
    expect(right.applied.map((entry) => [entry.deviceId, entry.seq])).toEqual([[a.deviceId, 1], [a.deviceId, 2], [a.deviceId, 3]])
    expect(b.store.head(a.deviceId)).toBe(3)
  })

  it("stop() unsubscribes from the vault's key events, tells the other side, and a second stop is harmless", async () => {
    const account = makeAccount(["alpha", "beta"])
    const [a, b] = account.devices
    const left = stackOf(account, a)
    await left.stack.start()
    const right = stackOf(account, b, [`127.0.0.1:${left.stack.network.port}`])
    await right.stack.start()
    expect(Object.fromEntries(right.subscriptions)).toEqual({ keysetChanged: 1, accountKeyChanged: 1 })
    await until(() => left.events.some((e) => e.type === "peer.connected"), "the link")
    await right.stack.stop()
    await right.stack.stop()
    expect(Object.fromEntries(right.subscriptions)).toEqual({ keysetChanged: 0, accountKeyChanged: 0 })
    expect(right.sinks.size).toBe(0)
    await until(() => left.events.some((e) => e.type === "peer.disconnected"), "a to see b go")
    expect(left.events.find((e) => e.type === "peer.disconnected")).toMatchObject({ deviceId: b.deviceId })
  })
})
