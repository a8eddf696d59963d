/** Owns every device and relay the bench makes, so one call removes them all (also after a failure or Ctrl-C). */
import { BenchDevice } from "./bench-device.js"
import { ByteRelay } from "./byte-relay.js"

export class DeviceLab {
  private readonly devices = new Set<BenchDevice>()
  private readonly relays = new Set<ByteRelay>()

  /** @param daemonEnv extra environment of every daemon (e.g. NODE_OPTIONS for --cpu-prof). */
  constructor(private readonly daemonEnv: Record<string, string> = {}) {}

  async device(name: string): Promise<BenchDevice> {
    const device = await BenchDevice.create(name, this.daemonEnv)
    this.devices.add(device)
    return device
  }

  async relay(targetPort: number): Promise<ByteRelay> {
    const relay = await ByteRelay.start(targetPort)
    this.relays.add(relay)
    return relay
  }

  /** Stops a device's daemon cleanly and removes its home. */
  async retire(device: BenchDevice): Promise<void> {
    await device.destroy()
    this.devices.delete(device)
  }

  /** Stops every daemon, removes every home, closes every relay. */
  async cleanup(): Promise<void> {
    await Promise.allSettled([...this.devices].map((d) => d.destroy()))
    await Promise.allSettled([...this.relays].map((r) => r.stop()))
    this.devices.clear()
    this.relays.clear()
  }
}
