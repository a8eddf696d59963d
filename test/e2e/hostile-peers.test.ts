import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest"
import { readAccountKey } from "../../src/account/index.js"
import { randomBytes, utf8 } from "../../src/crypto/index.js"
import { encodeMessage } from "../../src/sync/messages.js"
import {
  CLOSE_REASONS, DEFAULT_RATE_PER_MINUTE, HANDSHAKE_TIMEOUT_MS, NOISE_MAX_MESSAGE_BYTES, NOISE_XX, NoiseHandshake, runHandshake, TRUSTED_PROLOGUE,
  type CloseReason,
} from "../../src/transport/index.js"
import { runCli, waitFor } from "./helpers/cli.js"
import { Device } from "./helpers/devices.js"
import { joinAndStart, startFirstDevice } from "../helpers/device-start.js"
import {
  countEntries, emptySyncHello, findLogLine, forgedEntry, helloFor, LOG_INFO, logLinesSince, nextLoopbackAddress, pairingHandshake,
  PAIR_PATH, randomDeviceId, readHeads, readIdentity, readTrust, RogueConnection, trustedDhPublic, syncInbox, trustedHandshake, TRUSTED_PATH, type LogLine,
  type RogueSession, type StolenIdentity,
} from "./helpers/rogue-peer.js"

/**
 * Hostile peers against a real daemon process (DESIGN §6, STYLE "Errors"): every
 * bad input ends the link with a close code the peer sees, is logged, leaves the
 * store untouched and the daemon serving, and a legitimate device keeps syncing.
 */

const code = (reason: CloseReason) => CLOSE_REASONS[reason]

describe("a real daemon facing hostile peers on loopback", () => {
  const cleanups: Array<() => Promise<void>> = []
  /** The daemon under attack (logs at info). */
  let a: Device
  /** A legitimate device, paired and running all along: it must keep syncing. */
  let legit: Device
  /** A paired device whose daemon never runs: its stolen identity is the trusted insider. */
  let insider: StolenIdentity
  let accountIdHex: string
  /** A's static key, as the devices it trusts know it (Noise IK needs it up front). */
  let aStatic: Uint8Array
  let synced = 0

  beforeAll(async () => {
    // These devices outlive one test: destroyed after all of them.
    const registerCleanup = (fn: () => Promise<void>) => void cleanups.push(fn)
    a = await startFirstDevice("alpha", { args: ["--log-level", "info"], registerCleanup })
    legit = await Device.create("legit", registerCleanup)
    const stolen = await Device.create("stolen", registerCleanup)
    expect((await legit.joinThrough(a)).joinResult.code).toBe(0)
    expect((await stolen.joinThrough(a)).joinResult.code).toBe(0)
    insider = readIdentity(stolen.home)
    aStatic = trustedDhPublic(stolen.home, (await a.client!.call("status", {})).deviceId)
    await legit.start()
    await legit.unlock()
    accountIdHex = (await a.client!.call("status", {})).accountId
    await waitFor(async () => (await a.client!.call("devices.list", {})).some((d) => d.name === "legit" && d.state === "connected"), "the legitimate device linked to A")
  }, 60_000)

  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn()
  })

  /** What A holds that a hostile peer must never change. */
  async function holdings() {
    const devices = (await a.client!.call("devices.list", {}))
      .map(({ deviceId, name, revoked, seq, addedAt }) => ({ deviceId, name, revoked, seq, addedAt }))
      .sort((x, y) => x.deviceId.localeCompare(y.deviceId))
    const records = (await a.client!.call("records.list", {})).map((r) => r.id).sort()
    return { devices, records, trust: readTrust(a.home), heads: readHeads(a.home), entries: countEntries(a.home) }
  }

  /** A stored nothing, still answers at once, and a new record still reaches the legitimate device. */
  async function expectUnharmed(before: Awaited<ReturnType<typeof holdings>>): Promise<void> {
    expect(await holdings()).toEqual(before)
    const started = Date.now()
    expect((await a.client!.call("status", {})).locked).toBe(false)
    expect(Date.now() - started).toBeLessThan(1_000)
    const title = `still syncing ${++synced}`
    await a.client!.call("records.create", { record: { type: "note", title } })
    await waitFor(async () => (await legit.titles()).includes(title), `"${title}" on the legitimate device`, 10_000)
  }

  /**
   * STYLE "Errors": malformed input from a peer is logged. Here: a line (info or
   * above) about this peer, found by its source address or the device id it
   * proved, that names the close reason the peer was sent, so the owner reads
   * in the log what the peer was shown.
   */
  async function expectLogged(at: number, peer: { address?: string; deviceId?: string }, reason?: string): Promise<void> {
    const about = (line: LogLine) =>
      (peer.address !== undefined && (line.address === peer.address || String(line.address).startsWith(`${peer.address}:`))) ||
      (peer.deviceId !== undefined && line.deviceId === peer.deviceId)
    const logged = (line: LogLine) => line.level >= LOG_INFO && about(line) && (reason === undefined || JSON.stringify(line).includes(reason))
    const line = await findLogLine(a.daemon!, at, logged)
    const seen = logLinesSince(a.daemon!, at).filter(about).map((l) => JSON.stringify(l)).join("\n")
    expect.soft(line, `a log line about ${JSON.stringify(peer)}${reason ? ` naming "${reason}"` : ""}; the log about it:\n${seen || "(nothing)"}`).toBeDefined()
  }

  const mark = () => a.daemon!.output().length

  describe("before any handshake", () => {
    it("answers random bytes instead of handshake message 1 with a decoy, then closes with 'unknown device'", async () => {
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const rogue = await RogueConnection.open(a.port, { path: TRUSTED_PATH, from })
      const replies: Uint8Array[] = []
      rogue.onMessage((bytes) => replies.push(bytes))
      rogue.sendRaw(randomBytes(200))
      await waitFor(() => replies.length === 1, "a message 2 of the usual shape", 3_000)
      rogue.sendRaw(randomBytes(40))
      expect((await rogue.closedWithin(3_000))?.code).toBe(code("unknown device"))
      await expectUnharmed(before)
      await expectLogged(at, { address: from }, "unknown device")
    })

    it("closes a link that sends a text frame with 'protocol error'", async () => {
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const rogue = await RogueConnection.open(a.port, { path: TRUSTED_PATH, from })
      rogue.sendText('{"hello":"lanvault"}')
      expect((await rogue.closedWithin(3_000))?.code).toBe(code("protocol error"))
      await expectUnharmed(before)
      await expectLogged(at, { address: from }, "protocol error")
    })

    it("closes a handshake that stalls after message 1 with 'handshake timeout', serving others meanwhile", async () => {
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const rogue = await RogueConnection.open(a.port, { path: TRUSTED_PATH, from })
      const replies: Uint8Array[] = []
      rogue.onMessage((bytes) => replies.push(bytes))
      const noise = new NoiseHandshake({ protocolName: NOISE_XX, initiator: true, staticSecret: randomBytes(32), prologue: utf8(TRUSTED_PROLOGUE) })
      rogue.sendRaw(noise.writeMessage(new Uint8Array(0)))
      await waitFor(() => replies.length === 1, "handshake message 2", 3_000)
      // While this handshake hangs the daemon serves everyone else.
      await expectUnharmed(before)
      const meanwhile = await holdings()
      const closed = await rogue.closedWithin(15_000)
      expect(closed?.code).toBe(code("handshake timeout"))
      expect(closed!.afterMs).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 500)
      expect(await holdings()).toEqual(meanwhile)
      await expectLogged(at, { address: from }, "handshake timeout")
    }, 25_000)
  })

  describe("a stranger dialling the trusted endpoint (issue 11 item 10)", () => {
    /** What a stranger could learn: the static key and hello the daemon would show it. */
    async function probe(path: string, mode: "trusted" | "trusted-xx", aimAt?: Uint8Array) {
      const rogue = await RogueConnection.open(a.port, { path, from: nextLoopbackAddress() })
      const learnt: Array<{ remoteStatic: Uint8Array; payload: Uint8Array }> = []
      const outcome = await runHandshake(rogue, {
        role: "initiator", mode, staticSecret: randomBytes(32), payload: helloFor(accountIdHex, randomDeviceId()), remoteStatic: aimAt,
        accept: (remoteStatic, payload) => {
          learnt.push({ remoteStatic, payload })
          return "accept"
        },
      }).then(() => "linked", (error: { data?: { reason?: string } }) => error.data?.reason)
      return { learnt, outcome, close: (await rogue.closedWithin(3_000))?.code }
    }

    it("learns nothing about who answers: not its key, device id, account tag or generation", async () => {
      const before = await holdings()
      const results = [
        await probe(TRUSTED_PATH, "trusted", randomBytes(32)), // IK aimed at a guessed key
        await probe(TRUSTED_PATH, "trusted-xx"), // protocol 1's XX on the new path
        await probe("/lanvault/1", "trusted-xx"), // protocol 1's XX on its old path
      ]
      expect(results.map((r) => r.learnt)).toEqual([[], [], []])
      expect(results.map((r) => r.outcome)).toEqual(["unknown device", expect.anything(), "older protocol version"])
      expect(results[2].close).toBe(code("older protocol version"))
      await expectUnharmed(before)
    })
  })

  describe("a trusted-mode handshake from a device not in the trust list", () => {
    async function refusedHello(payload: (stranger: { deviceId: string }) => Uint8Array, reason: CloseReason): Promise<void> {
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const rogue = await RogueConnection.open(a.port, { path: TRUSTED_PATH, from })
      const attempt = trustedHandshake(rogue, randomBytes(32), payload({ deviceId: randomDeviceId() }), aStatic)
      await expect(attempt).rejects.toMatchObject({ code: "PEER_REFUSED", data: { reason } })
      expect((await rogue.closedWithin(3_000))?.code).toBe(code(reason))
      await expectUnharmed(before)
      await expectLogged(at, { address: from }, reason)
    }

    it("refuses a random static key with a well-formed hello for this account: 'unknown device'", async () => {
      await refusedHello(({ deviceId }) => helloFor(accountIdHex, deviceId), "unknown device")
    })

    it("refuses a hello with a random account tag: 'unknown device'", async () => {
      await refusedHello(({ deviceId }) => helloFor(randomDeviceId(), deviceId), "unknown device")
    })

    it("refuses a stranger claiming a trusted device's id without its key: 'unknown device'", async () => {
      await refusedHello(() => helloFor(accountIdHex, insider.deviceId), "unknown device")
    })

    it("refuses a hello that is not JSON: 'protocol error'", async () => {
      await refusedHello(() => utf8("not a hello"), "protocol error")
    })

    it("refuses a stranger claiming a newer account generation as 'unknown device', and does not believe it", async () => {
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const rogue = await RogueConnection.open(a.port, { path: TRUSTED_PATH, from })
      const refusal = await trustedHandshake(rogue, randomBytes(32), helloFor(accountIdHex, randomDeviceId(), 2), aStatic).then(
        () => undefined,
        (error: { data?: { reason?: string } }) => error.data?.reason,
      )
      // An unauthenticated claim must not mark this device's account key obsolete…
      expect((await a.client!.call("status", {})).obsolete).toBeUndefined()
      // …nor be told anything but that it is unknown.
      expect.soft(refusal).toBe("unknown device")
      expect.soft((await rogue.closedWithin(3_000))?.code).toBe(code("unknown device"))
      await expectUnharmed(before)
      await expectLogged(at, { address: from }, "unknown device")
    })
  })

  describe("pairing", () => {
    it("refuses a wrong account key while the window is open: 'wrong account key', nothing trusted", async () => {
      await a.client!.call("pairing.open", { seconds: 60 })
      onTestFinished(async () => {
        await a.client!.call("pairing.close", {})
      })
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const rogue = await RogueConnection.open(a.port, { path: PAIR_PATH, from })
      await expect(pairingHandshake(rogue, randomBytes(16))).rejects.toMatchObject({ code: "PEER_REFUSED", data: { reason: "wrong account key" } })
      expect((await rogue.closedWithin(3_000))?.code).toBe(code("wrong account key"))
      await expectUnharmed(before)
      await expectLogged(at, { address: from }, "wrong account key")
    })

    it("refuses the right account key while the window is closed: 'pairing window closed'", async () => {
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const rogue = await RogueConnection.open(a.port, { path: PAIR_PATH, from })
      await expect(pairingHandshake(rogue, readAccountKey(a.home))).rejects.toMatchObject({ code: "PEER_REFUSED", data: { reason: "pairing window closed" } })
      expect((await rogue.closedWithin(3_000))?.code).toBe(code("pairing window closed"))
      await expectUnharmed(before)
      await expectLogged(at, { address: from }, "pairing window closed")
    })
    it("answers a wrong account key exactly like the right one while the window is closed: no key oracle", async () => {
      const before = await holdings()
      const answers: Array<{ reason: unknown; code: number | undefined }> = []
      for (const key of [randomBytes(16), readAccountKey(a.home), randomBytes(32)]) {
        const rogue = await RogueConnection.open(a.port, { path: PAIR_PATH, from: nextLoopbackAddress() })
        const error = await pairingHandshake(rogue, key).then(() => undefined, (e: { data?: { reason?: unknown } }) => e)
        answers.push({ reason: error?.data?.reason, code: (await rogue.closedWithin(3_000))?.code })
      }
      const closed = { reason: "pairing window closed", code: code("pairing window closed") }
      expect(answers).toEqual([closed, closed, closed])
      await expectUnharmed(before)
    })
  })

  describe("a trusted device's stolen identity sending bad data after a valid handshake", () => {
    /** Handshakes as the insider, exchanges sync hellos, and returns the live session. */
    async function asInsider(from: string): Promise<RogueSession> {
      const rogue = await RogueConnection.open(a.port, { path: TRUSTED_PATH, from })
      const session = await trustedHandshake(rogue, insider.dhSecret, helloFor(accountIdHex, insider.deviceId), aStatic)
      const inbox = syncInbox(session.channel)
      await inbox.next("hello")
      session.channel.send(emptySyncHello())
      // A keyset offer (we sent version 0) shows the daemon took our hello.
      await inbox.next("keyset")
      expect(rogue.isOpen).toBe(true)
      return session
    }

    /** Runs `attack` on a fresh insider session; the daemon must close it with `reason`. */
    async function expectClosedFor(attack: (session: RogueSession) => void, reason: CloseReason): Promise<void> {
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const session = await asInsider(from)
      attack(session)
      expect((await session.connection.closedWithin(3_000))?.code).toBe(code(reason))
      await expectUnharmed(before)
      await expectLogged(at, { address: from, deviceId: insider.deviceId }, reason)
    }

    const entries = (...list: ReturnType<typeof forgedEntry>[]) => encodeMessage({ type: "entries", entries: list })

    it("closes the link on an entry with a bad signature and stores nothing", async () => {
      await expectClosedFor(({ channel }) => channel.send(entries(forgedEntry({ accountIdHex, deviceId: insider.deviceId, seq: 1 }))), "protocol error")
    })

    it("closes the link on a validly signed entry that leaves a gap in the sequence", async () => {
      const gap = forgedEntry({ accountIdHex, deviceId: insider.deviceId, seq: 3, signSecret: insider.signSecret })
      await expectClosedFor(({ channel }) => channel.send(entries(gap)), "protocol error")
    })

    it("closes the link on an entry passed off as the legitimate device's, signed with the insider's key", async () => {
      const legitId = (await legit.client!.call("status", {})).deviceId
      const held = readHeads(a.home)[legitId] ?? 0
      const forged = forgedEntry({ accountIdHex, deviceId: legitId, seq: held + 1, signSecret: insider.signSecret })
      await expectClosedFor(({ channel }) => channel.send(entries(forged)), "protocol error")
    })

    it("closes the link on random bytes as a sync message", async () => {
      // First byte 0xa5 is no message type (a random type-4 body would be a well-formed, opaque keyset offer).
      const noise = randomBytes(300)
      noise[0] = 0xa5
      await expectClosedFor(({ channel }) => channel.send(noise), "protocol error")
    })

    it("closes the link on a second hello", async () => {
      await expectClosedFor(({ channel }) => channel.send(emptySyncHello()), "protocol error")
    })

    it("closes the link on a replayed encrypted frame", async () => {
      await expectClosedFor(({ connection }) => connection.sendRaw(connection.sent.at(-1)!), "protocol error")
    })

    it("closes the link on a tampered encrypted frame", async () => {
      await expectClosedFor(({ connection, channel }) => {
        connection.holding = true
        channel.send(encodeMessage({ type: "ack", count: 0 }))
        const frame = connection.held.pop()!
        frame[frame.length - 20] ^= 0x01
        connection.sendRaw(frame)
      }, "protocol error")
    })

    it("closes the link on reordered encrypted frames", async () => {
      await expectClosedFor(({ connection, channel }) => {
        connection.holding = true
        channel.send(encodeMessage({ type: "ack", count: 0 }))
        channel.send(encodeMessage({ type: "ack", count: 0 }))
        const [first, second] = connection.held.splice(0)
        connection.sendRaw(second)
        connection.sendRaw(first)
      }, "protocol error")
    })

    it("closes the link on a text frame after the handshake", async () => {
      await expectClosedFor(({ connection }) => connection.sendText("hello?"), "protocol error")
    })

    it("closes the link on a frame above the Noise limit of 65,535 bytes with 'message too large'", async () => {
      await expectClosedFor(({ connection }) => connection.sendRaw(randomBytes(NOISE_MAX_MESSAGE_BYTES + 1)), "message too large")
    })

    it("cuts a frame far above the limit at the WebSocket layer (1009) and stays up", async () => {
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const session = await asInsider(from)
      session.connection.sendRaw(randomBytes(4 * NOISE_MAX_MESSAGE_BYTES))
      expect((await session.connection.closedWithin(3_000))?.code).toBe(1009)
      await expectUnharmed(before)
      // The daemon's ws cut it (1009); the log can only say the link ended.
      await expectLogged(at, { address: from, deviceId: insider.deviceId })
    })
  })

  describe("pairing by a holder of the account key", () => {
    // After the insider tests: if the daemon accepts the claim, the insider's trust entry is overwritten.
    it("refuses a join request claiming the id of a device already trusted, and keeps that device's keys", async () => {
      await a.client!.call("pairing.open", { seconds: 60 })
      onTestFinished(async () => {
        await a.client!.call("pairing.close", {})
      })
      const before = await holdings()
      const at = mark()
      const from = nextLoopbackAddress()
      const rogue = await RogueConnection.open(a.port, { path: PAIR_PATH, from })
      const outcome = await pairingHandshake(rogue, readAccountKey(a.home), { deviceId: insider.deviceId, name: "impostor" }).then(
        () => "paired",
        (error: { data?: { reason?: string } }) => error.data?.reason,
      )
      await rogue.closedWithin(3_000)
      await new Promise((r) => setTimeout(r, 200))
      expect.soft(outcome).not.toBe("paired")
      expect(readTrust(a.home)).toEqual(before.trust)
      await expectUnharmed(before)
      await expectLogged(at, { address: from })
    })
  })

  it("refuses a revoked device ('revoked', shown in its status), stores nothing of it, and its old key cannot pair", async () => {
    const revoked = await joinAndStart(await Device.create("revoked"), a)
    await waitFor(async () => (await a.client!.call("devices.list", {})).some((d) => d.name === "revoked" && d.state === "connected"), "the device linked to A")
    const revokedId = (await revoked.client!.call("status", {})).deviceId
    const oldAccountKey = readAccountKey(revoked.home)
    const at = mark()

    const { accountKey } = await a.client!.call("devices.revoke", { deviceId: revokedId })
    expect(accountKey).not.toBe(a.accountKey)
    a.accountKey = accountKey
    const before = await holdings()
    expect(before.devices.find((d) => d.deviceId === revokedId)?.revoked).toBe(true)
    await waitFor(async () => (await revoked.client!.call("status", {})).peers.some((p) => /revoked/.test(p.state)), "the device to be told it is revoked")
    await expectLogged(at, { address: "127.0.0.1" }, "revoked")

    // Issue 11 item 7: it says so in plain words, refuses writes (which would never sync) with REVOKED and
    // exit code 5 and the command to run next, and keeps its records readable for export.
    await waitFor(async () => (await revoked.client!.call("status", {})).standing?.state === "revoked", "the device to know it is revoked")
    await expect(revoked.client!.call("records.create", { record: { type: "note", title: "after my revocation" } })).rejects.toMatchObject({ code: "REVOKED" })
    const add = await runCli(["add", "--type", "note", "--title", "after my revocation"], { home: revoked.home })
    expect(add.code).toBe(5)
    expect(add.stderr).toMatch(/revoked/)
    expect(add.stderr).toMatch(/lanvault join/)
    const shown = await runCli(["status"], { home: revoked.home })
    expect(shown.stdout).toMatch(/REVOKED/)
    expect(shown.stdout).toMatch(/read-only/)
    expect((await revoked.client!.call("records.list", {})).length).toBeGreaterThan(0)
    const exported = await runCli(["export", join(revoked.home, "mine.json"), "--format", "json", "--yes"], { home: revoked.home })
    expect(exported.code).toBe(0)
    await new Promise((r) => setTimeout(r, 1_000))
    expect(readHeads(a.home)[revokedId]).toBeUndefined()
    expect(await a.titles()).not.toContain("after my revocation")

    // The revoked device's account key no longer opens the pairing window.
    await a.client!.call("pairing.open", { seconds: 60 })
    onTestFinished(async () => {
      await a.client!.call("pairing.close", {})
    })
    const rogue = await RogueConnection.open(a.port, { path: PAIR_PATH, from: nextLoopbackAddress() })
    await expect(pairingHandshake(rogue, oldAccountKey, { name: "revoked again" })).rejects.toMatchObject({ data: { reason: "wrong account key" } })
    expect((await rogue.closedWithin(3_000))?.code).toBe(code("wrong account key"))
    await a.client!.call("pairing.close", {})
    await expectUnharmed(before)
  }, 40_000)

  // Last: the flood leaves its source address rate-limited for a minute.
  it("rate-limits 300 connection attempts in a second from one address, answering its socket API within a second", async () => {
    const before = await holdings()
    const at = mark()
    const from = nextLoopbackAddress()
    const rogues: RogueConnection[] = []
    onTestFinished(() => rogues.forEach((r) => r.terminate()))
    const outcomes: Array<Promise<number | "open" | "failed">> = []
    const latencies: number[] = []
    for (let wave = 0; wave < 10; wave++) {
      for (let i = 0; i < 30; i++) {
        outcomes.push(RogueConnection.open(a.port, { path: TRUSTED_PATH, from }).then(async (rogue) => {
          rogues.push(rogue)
          return (await rogue.closedWithin(2_000))?.code ?? "open"
        }, () => "failed" as const))
      }
      if (wave === 5) {
        const started = Date.now()
        await a.client!.call("status", {})
        latencies.push(Date.now() - started)
      }
      await new Promise((r) => setTimeout(r, 90))
    }
    const started = Date.now()
    await a.client!.call("status", {})
    latencies.push(Date.now() - started)
    const results = await Promise.all(outcomes)
    const limited = results.filter((r) => r === code("rate limited")).length
    const admitted = results.filter((r) => r === "open").length
    // 60 a minute get in; the rest are told why (a few might be cut at the TCP cap under load).
    expect(admitted).toBeLessThanOrEqual(DEFAULT_RATE_PER_MINUTE)
    expect(limited).toBeGreaterThanOrEqual(200)
    expect(Math.max(...latencies)).toBeLessThan(1_000)
    rogues.forEach((r) => r.terminate())

    // The limit is per address: a newcomer from elsewhere still gets a handshake (and a refusal of its own).
    const newcomer = await RogueConnection.open(a.port, { path: TRUSTED_PATH, from: nextLoopbackAddress() })
    await expect(trustedHandshake(newcomer, randomBytes(32), helloFor(accountIdHex, randomDeviceId()), aStatic)).rejects.toMatchObject({ data: { reason: "unknown device" } })
    await expectUnharmed(before)
    await expectLogged(at, { address: from }, "rate limited")
  }, 30_000)
})
