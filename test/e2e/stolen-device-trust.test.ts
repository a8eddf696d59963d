import { describe, expect, it } from "vitest"
import { Device } from "./helpers/devices.js"
import { helloFor, nextLoopbackAddress, RogueConnection, trustedHandshake, TRUSTED_PATH } from "./helpers/rogue-peer.js"
import { staticOf, stealDevice } from "./helpers/stolen-device.js"
import { startFirstDevice } from "../helpers/device-start.js"

/**
 * Issue 17, item 9's leftovers against a real daemon: a revoked device a thief
 * holds (account key and device keys, no password) and resets cannot make the
 * daemon believe its own account was reset.
 */
describe("a stolen device, revoked, against a real daemon", () => {
  it("a revoked device claiming a newer generation hears 'revoked', and the daemon does not think its account was reset", async () => {
    const a = await startFirstDevice("alpha")
    const laptop = await Device.create("laptop")
    await laptop.joinThrough(a)
    const stolen = stealDevice(laptop.home)
    const target = (await a.client!.call("status", {})).deviceId
    await a.client!.call("devices.revoke", { deviceId: stolen.deviceId })

    // `lanvault reset` on the stolen laptop keeps its device keys and bumps its generation.
    const rogue = await RogueConnection.open(a.port, { path: TRUSTED_PATH, from: nextLoopbackAddress() })
    const hello = helloFor(stolen.accountIdHex, stolen.deviceId, 2)
    const refused = await trustedHandshake(rogue, stolen.dhSecret, hello, staticOf(stolen, target)).then(() => "accepted", (error) => String(error?.data?.reason))
    expect(refused).toBe("revoked")
    const status = await a.client!.call("status", {})
    expect(status.standing).toBeUndefined()
    expect(status.locked).toBe(false)
  }, 90_000)
})
