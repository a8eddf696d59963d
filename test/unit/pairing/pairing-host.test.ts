import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, describe, expect, it, vi } from "vitest"
import { META, readAccountContext, writeAccountKey } from "../../../src/account/index.js"
import { generateAccountKey, generateDeviceKeys, randomBytes, toHex } from "../../../src/crypto/index.js"
import { LanvaultError } from "../../../src/errors.js"
import { PairingHost, type PairingHostDeps } from "../../../src/pairing/pairing-host.js"
import { encodeJoinRequest } from "../../../src/pairing/pairing-messages.js"
import { MemoryStore } from "../../../src/store/memory-store.js"
import type { Replicator } from "../../../src/sync/index.js"
import { MemoryFrameSocket, runHandshake, type AcceptedConnection } from "../../../src/transport/index.js"
import { recordingLogger } from "../helpers/recording-logger.js"

const home = mkdtempSync(join(tmpdir(), "lanvault-pairing-host-"))
const accountKey = generateAccountKey()
writeAccountKey(home, accountKey)

/** A host device with an identity (no keyset: these tests never get as far as a welcome). */
function host(options: { now?: () => number; unlocked?: boolean } = {}) {
  const store = new MemoryStore()
  const keys = generateDeviceKeys()
  store.setIdentity({ deviceId: toHex(randomBytes(16)), signSecret: keys.signSecret, dhSecret: keys.dhSecret })
  const logger = recordingLogger()
  const published: unknown[] = []
  store.setMeta(META.accountId, toHex(randomBytes(16)))
  const deps: PairingHostDeps = {
    store, account: readAccountContext(store), home, logger,
    replicator: { publishTrust: () => {} } as unknown as Replicator,
    publish: (event) => void published.push(event),
    trustKey: () => {
      throw new LanvaultError("LOCKED", "the vault is locked")
    },
    unlocked: () => options.unlocked ?? true,
  }
  return { store, logger, published, pairingHost: new PairingHost(deps, options.now) }
}

/** A joining device's side of the pairing handshake over an in-memory socket; resolves with the refusal reason. */
async function tryToJoin(pairingHost: PairingHost, key: Uint8Array): Promise<string | undefined> {
  const [joiner, hostEnd] = MemoryFrameSocket.pair()
  const connection = { socket: hostEnd, remoteAddress: "10.0.0.7", remotePort: 50_000, path: "/lanvault/1/pair", trusted: () => {} } as unknown as AcceptedConnection
  const handled = pairingHost.handle(connection)
  const keys = generateDeviceKeys()
  const payload = encodeJoinRequest({ deviceId: toHex(randomBytes(16)), name: "new laptop", signPublic: keys.signPublic })
  const outcome = await runHandshake(joiner, { role: "initiator", mode: "pair", staticSecret: keys.dhSecret, accountKey: key, payload, accept: () => "accept" })
    .then(() => undefined, (error: LanvaultError) => String(error.data?.reason ?? error.code))
  await handled
  return outcome
}

describe("PairingHost", () => {
  afterAll(() => rmSync(home, { recursive: true, force: true }))
  afterEach(() => vi.useRealTimers())

  it("is closed until opened; open() returns the end of the window and closes itself after it", () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { pairingHost } = host()
    expect([pairingHost.isOpen, pairingHost.openUntil]).toEqual([false, undefined])
    expect(pairingHost.open(30)).toBe(1_030_000)
    expect([pairingHost.isOpen, pairingHost.openUntil]).toEqual([true, 1_030_000])
    vi.advanceTimersByTime(30_000)
    expect([pairingHost.isOpen, pairingHost.openUntil]).toEqual([false, undefined])
  })

  it("opens for two minutes by default; a new open() moves the end; close() is idempotent", () => {
    vi.useFakeTimers({ now: 0 })
    const { pairingHost, logger } = host()
    expect(pairingHost.open()).toBe(120_000)
    vi.advanceTimersByTime(100_000)
    expect(pairingHost.open(60)).toBe(160_000)
    vi.advanceTimersByTime(30_000) // the first window's timer is gone
    expect(pairingHost.isOpen).toBe(true)
    pairingHost.close()
    pairingHost.close()
    expect(pairingHost.isOpen).toBe(false)
    expect(logger.lines.map((line) => line.message)).toEqual(["pairing window open", "pairing window open", "pairing window closed"])
  })

  it("refuses a window of no time, of more than an hour, or of no number (INVALID_PARAMS)", () => {
    const { pairingHost } = host()
    for (const seconds of [0, -1, 3_601, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => pairingHost.open(seconds)).toThrow(expect.objectContaining({ code: "INVALID_PARAMS" }))
    }
    expect(pairingHost.isOpen).toBe(false)
  })

  it("while closed, a joiner with the right key hears what one with a wrong key hears, and nothing is trusted", async () => {
    const { pairingHost, store, published } = host()
    expect(await tryToJoin(pairingHost, accountKey)).toBe("pairing window closed")
    expect(await tryToJoin(pairingHost, generateAccountKey())).toBe("pairing window closed")
    expect(store.trustList()).toEqual([])
    expect(published).toEqual([])
  })

  it("while open, a wrong account key is told so, and nothing is trusted", async () => {
    const { pairingHost, store } = host()
    pairingHost.open(60)
    expect(await tryToJoin(pairingHost, generateAccountKey())).toBe("wrong account key")
    expect(store.trustList()).toEqual([])
    pairingHost.close()
  })

  it("a locked vault keeps its window shut: it has no trust key to sign the new device in with", async () => {
    const { pairingHost, store, logger } = host({ unlocked: false })
    pairingHost.open(60)
    expect(await tryToJoin(pairingHost, accountKey)).toBe("pairing window closed")
    expect(store.trustList()).toEqual([])
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: "warn", message: "pairing attempt refused" }))
    pairingHost.close()
  })
})
