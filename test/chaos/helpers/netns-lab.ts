/**
 * A small LAN of three netns hosts (test/hosts/netns.ts) with a lanvault
 * daemon on each: one made the account, the others joined through it by mDNS
 * alone; all unlocked and linked to each other. Plus healing every fault.
 */
import { createHosts, type TestHosts } from "../../hosts/netns.js"
import { waitFor } from "../../e2e/helpers/cli.js"
import { NetnsVault } from "./netns-vault.js"
import { NetworkFaults } from "./network-faults.js"

export interface Lab {
  hosts: TestHosts
  devices: NetnsVault[]
  faults: NetworkFaults
}

const NAMES = ["one", "two", "three", "four", "five", "six", "seven", "eight"]

/** `count` hosts (3 by default); the first inits, the others join through it by mDNS; all unlocked and linked to each other. */
export async function linkedDevices(count = 3): Promise<Lab> {
  const hosts = await createHosts(count)
  const faults = new NetworkFaults(hosts)
  const devices = hosts.hosts.map((host, i) => new NetnsVault(host, NAMES[i] ?? `h${i + 1}`))
  try {
    const [one, ...others] = devices
    await one.init()
    await one.start()
    await one.unlock()
    for (const device of others) {
      await device.joinThrough(one)
      await device.start()
      await device.unlock()
    }
    await waitLinked(devices)
  } catch (error) {
    await tearDown({ hosts, devices, faults })
    throw error
  }
  return { hosts, devices, faults }
}

/** Heals, kills the daemons, removes the hosts and the homes. */
export async function tearDown({ hosts, devices, faults }: Partial<Lab>): Promise<void> {
  await faults?.healAll().catch(() => undefined)
  for (const device of devices ?? []) await device.stop("SIGKILL")
  await hosts?.cleanup()
  for (const device of devices ?? []) device.destroy()
}

/** Waits until each device has a live sync link to every other. */
export async function waitLinked(devices: NetnsVault[]): Promise<void> {
  for (const device of devices) {
    const others = devices.filter((d) => d !== device).map((d) => d.deviceId)
    await waitFor(async () => {
      const list = await device.client!.call("devices.list", {})
      return others.every((id) => list.some((d) => d.deviceId === id && d.state === "connected"))
    }, `${device.name} linked to both others`, 90_000)
  }
}

/** Every link up, every impairment gone, every daemon running and unlocked. */
export async function heal(devices: NetnsVault[], faults: NetworkFaults): Promise<void> {
  await faults.healAll()
  for (const device of devices) {
    if (!device.running) await device.start()
    if (device.locked) await device.unlock()
  }
}
