import { afterEach, beforeEach, expect, it } from "vitest"
import type { LanvaultError } from "../../src/errors.js"
import { waitFor } from "../e2e/helpers/cli.js"
import { chaosSeed, describeChaos, log, Rng, sized, sleep } from "./helpers/chaos-env.js"
import { PASSWORD } from "./helpers/loopback-vault.js"
import { linkedDevices, tearDown, waitLinked, type Lab } from "./helpers/netns-lab.js"
import type { NetnsVault } from "./helpers/netns-vault.js"

/**
 * Account changes made on both sides of a partition (issue 7, DESIGN §2 and §6):
 * three mDNS hosts; one is cut off while it and another device each change the
 * password, or each revoke the same lost device. Once healed, the devices must
 * agree again: one password unlocks all, and each reads what the other writes.
 */

/** After a partition heals: time for keysets to cross the links. */
const KEYSET_SETTLE_MS = 5_000

describeChaos("account changes made on both sides of a partition", () => {
  let lab: Lab | undefined
  beforeEach(async () => {
    lab = await linkedDevices(3)
  }, 180_000)
  afterEach(async () => {
    if (lab) await tearDown(lab)
    lab = undefined
  }, 60_000)

  concurrentPasswordChanges(() => lab!)
  concurrentRevokes(() => lab!)
  passwordChangeWhileRevoke(() => lab!)
})

/**
 * Two devices on opposite sides of a
 * partition change the password at the same time, each from the same keyset
 * version. Once healed, the devices must agree on one keyset, so that one
 * password unlocks every device (DESIGN §2: "peers adopt the highest version";
 * a tie must still end in one winner everywhere).
 */
function concurrentPasswordChanges(ctx: () => Lab) {
  it("concurrent password changes on both sides of a partition: after healing one password unlocks every device", async () => {
    const { devices, faults } = ctx()
    const [one, two, three] = devices
    const seed = chaosSeed("partitions password change")
    const rng = new Rng(seed)
    const passwords = { one: `one's new password ${rng.word(6)}`, two: `two's new password ${rng.word(6)}` }
    await faults.cutLink(one.host)
    const [fromOne, fromTwo] = await Promise.all([
      one.client!.call("account.changePassword", { old: PASSWORD, new: passwords.one }),
      two.client!.call("account.changePassword", { old: PASSWORD, new: passwords.two }),
    ])
    log(`partitions password change: one made keyset version ${fromOne.keysetVersion}, two made ${fromTwo.keysetVersion}, while one was cut off`)
    await waitFor(async () => (await three.client!.call("status", {})).keysetVersion === fromTwo.keysetVersion, "three adopting two's keyset")
    await faults.restoreLink(one.host)
    await waitLinked(devices)
    await sleep(KEYSET_SETTLE_MS)
    const versions = await Promise.all(devices.map(async (d) => (await d.client!.call("status", {})).keysetVersion))
    const works: Record<string, string[]> = {}
    for (const device of devices) {
      await device.lock()
      works[device.name] = []
      for (const [who, password] of Object.entries(passwords)) {
        try {
          await device.client!.call("unlock", { password })
          works[device.name].push(who)
          await device.lock()
        } catch (error) {
          if ((error as LanvaultError).code !== "WRONG_PASSWORD") throw error
        }
      }
      device.locked = true
    }
    log(`partitions password change: keyset versions ${JSON.stringify(versions)}; passwords that unlock each device ${JSON.stringify(works)}`)
    const common = Object.keys(passwords).filter((who) => devices.every((d) => works[d.name].includes(who)))
    expect(common, `no password unlocks every device: ${JSON.stringify(works)} (keyset versions ${JSON.stringify(versions)})`).toHaveLength(1)
  }, 180_000)
}

/**
 * The same lost device is revoked on both sides
 * of a partition. Each revoke makes a new vault-key epoch; once healed, what
 * either side writes must still be readable on the other (DESIGN §6: the new
 * epoch is "handed to the remaining devices").
 */
function concurrentRevokes(ctx: () => Lab) {
  it("the same device revoked on both sides of a partition: afterwards each side reads what the other writes", async () => {
    const { devices, faults } = ctx()
    const [one, two, three] = devices
    await faults.cutLink(one.host)
    const [byOne, byTwo] = await Promise.all([one, two].map((d) => d.client!.call("devices.revoke", { deviceId: three.deviceId })))
    await three.stop("SIGKILL")
    const keysets = await Promise.all([one, two].map(async (d) => (await d.client!.call("status", {})).keysetVersion))
    log(`partitions revoke: three revoked on both sides while one was cut off; keyset versions ${JSON.stringify(keysets)}; same new account key: ${byOne.accountKey === byTwo.accountKey}`)
    await faults.restoreLink(one.host)
    await waitLinked([one, two])
    const [onOne, onTwo] = [`written on one after the revokes ${Date.now()}`, `written on two after the revokes ${Date.now()}`]
    await one.client!.call("records.create", { record: { type: "note", title: onOne } })
    await two.client!.call("records.create", { record: { type: "note", title: onTwo } })
    const readable = async (device: NetnsVault, title: string) => (await device.client!.call("records.list", { query: title })).length === 1
    const outcome = await waitFor(async () => (await readable(one, onTwo)) && (await readable(two, onOne)), "each side reading the other's record", 30_000).then(
      () => "both read",
      async () => `one reads two's: ${await readable(one, onTwo)}, two reads one's: ${await readable(two, onOne)}`,
    )
    const unreadable = await Promise.all([one, two].map(async (d) => (await d.client!.call("status", {})).unreadableEntries ?? 0))
    log(`partitions revoke: ${outcome}; unreadable entries ${JSON.stringify(unreadable)}`)
    if (outcome !== "both read") for (const d of [one, two]) log(`${d.name}'s daemon said:\n${d.output}`)
    expect(outcome).toBe("both read")
    expect(unreadable).toEqual([0, 0])
    // The merged keys are stored, not only held: after lock and unlock both sides still read both records.
    for (const device of [one, two]) {
      await device.lock()
      await device.unlock()
      expect([await readable(device, onOne), await readable(device, onTwo)]).toEqual([true, true])
      expect((await device.client!.call("status", {})).unreadableEntries ?? 0).toBe(0)
    }
  }, 180_000)
}

/**
 * Issue 11 item 6: one side changes the password while the other revokes a
 * device; both write during the partition (seeded counts), and the changer may
 * be killed -9 and restarted before the heal (seeded). Once healed, every entry
 * either side wrote is readable on both, with the one password that survives
 * (the changed one), and no entry waits for a key.
 */
function passwordChangeWhileRevoke(ctx: () => Lab) {
  it("a password change on one side while the other revokes: afterwards every entry is readable on both with the new password", async () => {
    const { devices, faults } = ctx()
    const [one, two, three] = devices
    const rng = new Rng(chaosSeed("partitions password change while revoke"))
    const newPassword = `one's new password ${rng.word(6)}`
    const writes = sized({ ci: rng.int(2, 4), full: rng.int(15, 30) })
    const crash = rng.chance(0.5)
    const revokeFirst = rng.chance(0.5)
    await faults.cutLink(one.host)
    const changePassword = () => one.client!.call("account.changePassword", { old: PASSWORD, new: newPassword })
    const revoke = () => two.client!.call("devices.revoke", { deviceId: three.deviceId })
    if (revokeFirst) await revoke()
    await changePassword()
    if (!revokeFirst) await revoke()
    await three.stop("SIGKILL")
    const titles: string[] = []
    for (let i = 0; i < writes; i++) {
      for (const [device, side] of [[one, "one"], [two, "two"]] as const) {
        const title = `${side} during the partition ${i} ${rng.word(4)}`
        await device.client!.call("records.create", { record: { type: "note", title } })
        titles.push(title)
      }
    }
    if (crash) {
      await one.stop("SIGKILL")
      await one.start()
      await one.client!.call("unlock", { password: newPassword })
    }
    log(`partitions password change while revoke: ${writes} writes a side, revoke ${revokeFirst ? "before" : "after"} the password change, one killed -9: ${crash}`)
    const keyset = async (d: NetnsVault) => (await d.client!.call("status", {})).keysetVersion ?? 0
    const apart = Math.max(await keyset(one), await keyset(two))
    await faults.restoreLink(one.host)
    await waitLinked([one, two])
    // Converged: both on one keyset made after the heal (the merge of both sides' epochs).
    await waitFor(async () => (await keyset(one)) === (await keyset(two)) && (await keyset(one)) > apart, "one and two on the merged keyset", 60_000)
    const held = async (d: NetnsVault) => (await d.client!.call("records.list", {})).map((r) => r.title)
    const unreadable = async (d: NetnsVault) => (await d.client!.call("status", {})).unreadableEntries ?? 0
    for (const device of [one, two]) {
      await device.lock()
      // The changed password opens every device; the old one no longer does.
      const withOld = await device.client!.call("unlock", { password: PASSWORD }).then(() => "opened", (error: LanvaultError) => error.code)
      if (withOld !== "WRONG_PASSWORD") log(`${device.name}'s daemon said:\n${device.output}`)
      expect(withOld, `${device.name} with the old password`).toBe("WRONG_PASSWORD")
      await device.client!.call("unlock", { password: newPassword })
      device.locked = false
      await waitFor(async () => {
        const have = await held(device)
        return titles.every((t) => have.includes(t))
      }, `${device.name} reading every entry`, 30_000).catch(() => undefined)
      const have = await held(device)
      log(`${device.name}: ${titles.filter((t) => have.includes(t)).length} of ${titles.length} entries readable, ${await unreadable(device)} unreadable entries`)
      expect(titles.filter((t) => !have.includes(t)), `${device.name} misses entries`).toEqual([])
      expect(await unreadable(device)).toBe(0)
    }
  }, 240_000)
}
