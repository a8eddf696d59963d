import { networkInterfaces, type NetworkInterfaceInfo } from "node:os"

/** The interface list a watcher reads (os.networkInterfaces, or a fake in tests). */
export type InterfaceLister = () => NodeJS.Dict<NetworkInterfaceInfo[]>

/**
 * Polls the machine's network interfaces and calls `onChange` when the set of
 * non-internal addresses changes (Wi-Fi joined, cable plugged, DHCP renewed).
 * Node has no portable event for this, so it polls.
 */
export class InterfaceWatcher {
  private timer: NodeJS.Timeout | undefined
  private last = ""

  constructor(
    private readonly deps: { list?: InterfaceLister },
    private readonly options: { pollMs: number; onChange: () => void },
  ) {}

  start(): void {
    if (this.timer !== undefined) return
    this.last = this.fingerprint()
    this.timer = setInterval(() => this.poll(), this.options.pollMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Checks now; true (and `onChange` called) if the addresses changed since the last look. */
  poll(): boolean {
    const now = this.fingerprint()
    if (now === this.last) return false
    this.last = now
    this.options.onChange()
    return true
  }

  private fingerprint(): string {
    const list = this.deps.list ?? networkInterfaces
    const rows: string[] = []
    for (const [name, infos] of Object.entries(list())) {
      for (const info of infos ?? []) if (!info.internal) rows.push(`${name} ${info.family} ${info.address}`)
    }
    return rows.sort().join("\n")
  }
}
