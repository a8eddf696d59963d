import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { homePaths, parseKeyset } from "../../src/account/index.js"
import { generateAccountKey, generateDeviceKeys, randomBytes, toBase64, utf8 } from "../../src/crypto/index.js"
import { encodeMessage, type TrustInfo } from "../../src/sync/messages.js"
import { waitFor } from "./helpers/cli.js"
import { Device, PASSWORD } from "./helpers/devices.js"
import {
  findLogLine, forgedEntry, helloFor, nextLoopbackAddress, randomDeviceId, readHeads, RogueConnection, trustedHandshake, TRUSTED_PATH,
} from "./helpers/rogue-peer.js"
import { linkAsStolen, staticOf, stealDevice } from "./helpers/stolen-device.js"
import { startFirstDevice } from "../helpers/device-start.js"

/**
 * Issue 17: a thief with a paired device (account key and device keys, no
 * password) attacks a real daemon over loopback. Only the password changes
 * trust and keys, so every attack here must leave the daemon as it was.
 */
describe("a stolen, locked device against a real daemon", () => {
  /** A, unlocked, with a second device paired; that device's daemon never runs: the thief has its home. */
  async function victimAndThief() {
    const a = await startFirstDevice("alpha", { args: ["--log-level", "info"] })
    const laptop = await Device.create("laptop")
    await laptop.joinThrough(a)
    const target = { port: a.port, deviceId: (await a.client!.call("status", {})).deviceId }
    return { a, stolen: stealDevice(laptop.home), target }
  }

  it("cannot brick the vault with a forged keyset (version 2^52, random wrapped blob, real epochs, random account key), locked or unlocked", async () => {
    const { a, stolen, target } = await victimAndThief()
    const accountKeyFile = readFileSync(homePaths(a.home).accountKey, "utf8")
    const version = (await a.client!.call("status", {})).keysetVersion!
    for (const locked of [false, true]) {
      if (locked) await a.client!.call("lock", {})
      const at = a.daemon!.output().length
      const session = await linkAsStolen(target, stolen)
      const offered = await session.inbox.next("keyset")
      if (offered.type !== "keyset") throw new Error("not a keyset")
      const real = parseKeyset(offered.blob)
      const { sig: _sig, ...unsigned } = real
      const forged = utf8(JSON.stringify({ ...unsigned, version: 2 ** 52, wrapped: toBase64(randomBytes(160)), akDigest: undefined }))
      session.channel.send(encodeMessage({ type: "keyset", version: 2 ** 52, accountKey: generateAccountKey(), blob: forged }))
      expect(await findLogLine(a.daemon!, at, (line) => line.msg === "a peer's keyset was kept aside, not adopted", 5_000)).toBeDefined()
      session.channel.close("normal closure")
      expect(readFileSync(homePaths(a.home).accountKey, "utf8")).toBe(accountKeyFile)
      expect((await a.client!.call("status", {})).keysetVersion).toBe(version)
      if (!locked) await a.client!.call("lock", {})
      await a.unlock(PASSWORD)
      expect((await a.client!.call("status", {})).locked).toBe(false)
    }
    await waitFor(() => readFileSync(homePaths(a.home).accountKey, "utf8") === accountKeyFile, "account.key unchanged after unlock")
  }, 90_000)

  it("cannot plant a hidden device through its sync hello, which then stays refused after the thief's device is revoked (item 1)", async () => {
    const { a, stolen, target } = await victimAndThief()
    const hidden = { deviceId: randomDeviceId(), keys: generateDeviceKeys() }
    const claim = {
      deviceId: hidden.deviceId, name: "hidden", signPublic: hidden.keys.signPublic, dhPublic: hidden.keys.dhPublic, addedAt: Date.now(),
      addSig: randomBytes(64),
    }
    const at = a.daemon!.output().length
    const session = await linkAsStolen(target, stolen, [...stolen.trust, claim])
    await session.inbox.next("keyset")
    expect(await findLogLine(a.daemon!, at, (line) => line.msg === "ignored trust-list changes a peer sent without the account's signature", 5_000)).toBeDefined()
    session.channel.close("normal closure")
    const ids = async () => (await a.client!.call("devices.list", {})).map((d) => d.deviceId)
    expect(await ids()).not.toContain(hidden.deviceId)
    await a.client!.call("devices.revoke", { deviceId: stolen.deviceId })
    const rogue = await RogueConnection.open(a.port, { path: TRUSTED_PATH, from: nextLoopbackAddress() })
    const refused = await trustedHandshake(rogue, hidden.keys.dhSecret, helloFor(stolen.accountIdHex, hidden.deviceId), staticOf(stolen, target.deviceId)).then(() => "accepted", (error) => String(error?.data?.reason))
    expect(refused).toBe("unknown device")
    expect(await ids()).not.toContain(hidden.deviceId)
  }, 90_000)

  it("cannot rename devices: a rename without the trust key's signature, or with a made-up one, is ignored from a hello and from a notice", async () => {
    const { a, stolen, target } = await victimAndThief()
    const names = async () => Object.fromEntries((await a.client!.call("devices.list", {})).map((d) => [d.deviceId, d.name]))
    const before = await names()
    const renamedAt = Date.now() + 365 * 24 * 3_600_000
    const rename = (deviceId: string, name: string, renameSig?: Uint8Array): TrustInfo[] =>
      stolen.trust.map((t) => (t.deviceId === deviceId ? { ...t, name, renamedAt, ...(renameSig ? { renameSig } : {}) } : t))
    const at = a.daemon!.output().length
    // From its hello: A itself, unsigned.
    const session = await linkAsStolen(target, stolen, rename(target.deviceId, "thief's"))
    await session.inbox.next("keyset")
    expect(await findLogLine(a.daemon!, at, (line) => line.msg === "ignored trust-list changes a peer sent without the account's signature", 5_000)).toBeDefined()
    // From a notice: the stolen device itself, with a random signature.
    const next = a.daemon!.output().length
    session.channel.send(encodeMessage({ type: "trust", devices: rename(stolen.deviceId, "trusted laptop", randomBytes(64)) }))
    expect(await findLogLine(a.daemon!, next, (line) => line.msg === "ignored trust-list changes a peer sent without the account's signature", 5_000)).toBeDefined()
    session.channel.close("normal closure")
    expect(await names()).toEqual(before)
    expect((await a.client!.call("status", {})).deviceName).toBe("alpha")
  }, 90_000)

  it("cannot get entries of a revoked device stored by relaying them from another device it holds (item 4)", async () => {
    const { a, stolen, target } = await victimAndThief()
    const phone = await Device.create("phone")
    await phone.joinThrough(a)
    const relay = stealDevice(phone.home)
    await a.client!.call("devices.revoke", { deviceId: stolen.deviceId })
    const at = a.daemon!.output().length
    const session = await linkAsStolen(target, relay)
    await session.inbox.next("keyset")
    const late = forgedEntry({ accountIdHex: stolen.accountIdHex, deviceId: stolen.deviceId, seq: 1, signSecret: stolen.signSecret })
    session.channel.send(encodeMessage({ type: "entries", entries: [late] }))
    expect(await findLogLine(a.daemon!, at, (line) => line.msg === "refused entries of a revoked device made after its revocation", 5_000)).toBeDefined()
    session.channel.close("normal closure")
    expect(readHeads(a.home)[stolen.deviceId]).toBeUndefined()
  }, 90_000)
})
