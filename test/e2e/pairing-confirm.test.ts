import { existsSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { homePaths, readAccountKey } from "../../src/account/index.js"
import { pairingCode, randomBytes } from "../../src/crypto/index.js"
import { PairingLink } from "../../src/pairing/pairing-link.js"
import { decodeStep, decodeWelcome, encodeJoinRequest, encodeStep } from "../../src/pairing/pairing-messages.js"
import { runHandshake } from "../../src/transport/index.js"
import { codeOfAsync } from "../helpers/error-code.js"
import { runCli, spawnCli, waitFor } from "./helpers/cli.js"
import { Device } from "./helpers/devices.js"
import { nextLoopbackAddress, PAIR_PATH, pairingHandshake, randomDeviceId, RogueConnection } from "./helpers/rogue-peer.js"
import { startFirstDevice } from "../helpers/device-start.js"

/**
 * Issue 17 item 7: no keyset or account key reaches a new device until a person
 * on the host confirms that both screens show the same code, and the code comes
 * from nonces committed in turn, so no one in the middle can grind a match.
 */
describe("pairing confirms the code before trust", () => {
  async function host() {
    const a = await startFirstDevice("alpha")
    return a
  }

  it("a 'no' on the host sends nothing secret and says so on both sides; the window closes", async () => {
    const a = await host()
    const b = await Device.create("beta")
    const pair = spawnCli(["pair", "--seconds", "60"], { home: a.home, input: "n\n" })
    await waitFor(() => pair.output().includes("Pairing is open"), "the pairing window")
    const joined = await runCli(["join", "--peer", `127.0.0.1:${a.port}`, "--account-key-stdin", "--name", "beta"], { home: b.home, input: `${a.accountKey}\n`, timeoutMs: 60_000 })
    expect(await pair.exited).toBe(1)
    const code = /The new device's code: (\d{6})/.exec(joined.stderr)?.[1]
    expect(code).toMatch(/^\d{6}$/)
    expect(pair.output()).toContain(`Does the new device show ${code}? [y/N]`)
    expect(pair.output()).toContain("not confirmed: nothing was shared")
    expect(joined.code).toBe(1)
    expect(joined.stderr).toContain("did not confirm the code (a person answered no): nothing was shared")
    expect((await a.client!.call("devices.list", {})).map((d) => d.name)).toEqual(["alpha"])
    expect(existsSync(homePaths(b.home).accountKey)).toBe(false)
    expect(existsSync(homePaths(b.home).database)).toBe(false)
    expect((await a.client!.call("pairing.status", {})).open).toBe(false)
  }, 90_000)

  it("a joiner that proved the account key gets no welcome and no trust until the code is confirmed, and only with that code", async () => {
    const a = await host()
    await a.client!.call("pairing.open", { seconds: 60 })
    const rogue = await RogueConnection.open(a.port, { path: PAIR_PATH, from: nextLoopbackAddress() })
    const deviceId = randomDeviceId()
    const result = await pairingHandshake(rogue, readAccountKey(a.home), { deviceId, name: "newcomer" })
    const link = new PairingLink(result.channel)
    const hostStep = decodeStep(await link.next(5_000, "the host's nonce"), "nonce")
    expect(hostStep.hostName).toBe("alpha")
    link.send(encodeStep({ type: "reveal", nonce: result.nonce }))
    const code = pairingCode(result.handshakeHash, result.nonce, hostStep.nonce)
    const pending = await waitFor(async () => (await a.client!.call("pairing.status", {})).pending, "the code on the host")
    expect(pending).toMatchObject({ code, deviceId, name: "newcomer" })

    // Waiting for a person: nothing arrives, nobody is trusted.
    const welcomed = link.next(30_000, "the welcome")
    const early = await Promise.race([welcomed.then(() => "a message"), new Promise((resolve) => setTimeout(() => resolve("nothing"), 2_000))])
    expect(early).toBe("nothing")
    expect((await a.client!.call("devices.list", {})).map((d) => d.name)).toEqual(["alpha"])
    const wrong = code === "000000" ? "000001" : "000000"
    expect(await codeOfAsync(a.client!.call("pairing.confirm", { accept: true, code: wrong }))).toBe("INVALID_PARAMS")
    expect(await codeOfAsync(a.client!.call("pairing.confirm", { accept: true }))).toBe("INVALID_PARAMS")
    expect((await a.client!.call("devices.list", {})).map((d) => d.name)).toEqual(["alpha"])

    await a.client!.call("pairing.confirm", { accept: true, code })
    const welcome = decodeWelcome(await welcomed)
    link.send(Uint8Array.of(1))
    expect(welcome.trust.map((t) => t.deviceId)).toContain(deviceId)
    expect((await a.client!.call("devices.list", {})).map((d) => d.name).sort()).toEqual(["alpha", "newcomer"])
    expect((await a.client!.call("pairing.status", {})).pending).toBeUndefined()
  }, 60_000)

  it("refuses a joiner whose revealed nonce does not open its commitment, and one that makes no commitment", async () => {
    const a = await host()
    await a.client!.call("pairing.open", { seconds: 60 })
    const rogue = await RogueConnection.open(a.port, { path: PAIR_PATH, from: nextLoopbackAddress() })
    const result = await pairingHandshake(rogue, readAccountKey(a.home))
    const link = new PairingLink(result.channel)
    decodeStep(await link.next(5_000, "the host's nonce"), "nonce")
    // A nonce chosen after seeing the host's (to steer the code) is not the one committed to.
    link.send(encodeStep({ type: "reveal", nonce: randomBytes(32) }))
    expect((await rogue.closedWithin(5_000))?.reason).toBe("protocol error")
    expect((await a.client!.call("pairing.status", {})).pending).toBeUndefined()

    const older = await RogueConnection.open(a.port, { path: PAIR_PATH, from: nextLoopbackAddress() })
    const refused = await runHandshake(older, {
      role: "initiator", mode: "pair", staticSecret: randomBytes(32), accountKey: readAccountKey(a.home), accept: () => "accept",
      payload: encodeJoinRequest({ deviceId: randomDeviceId(), name: "old joiner", signPublic: randomBytes(32) }),
    }).then(() => "accepted", (error: { data?: { reason?: string } }) => error.data?.reason)
    expect(refused).toBe("older protocol version")
    expect((await a.client!.call("devices.list", {})).map((d) => d.name)).toEqual(["alpha"])
  }, 60_000)
})
