/**
 * Faults on the netns test LAN (test/hosts/netns.ts): cutting a host's link
 * (`ip link set <veth> down` on the bridge side), and packet loss plus delay on
 * its interface. Loss and delay use `tc netem` where the kernel has it
 * (CONFIG_NET_SCH_NETEM); kernels without it (this CI's) get the same faults from
 * what they do have: random drops by nftables (`numgen random`, package
 * `nftables`) and delay from a token bucket (`tc tbf`, a slow link whose queue
 * delays every burst). Everything is inside namespaces and links this test made.
 */
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import type { TestHost, TestHosts } from "../../hosts/netns.js"

const execFileAsync = promisify(execFile)
const COMMAND_TIMEOUT_MS = 10_000
const NFT_TABLE = "lvchaos"
/** The fallback's slow link: at this rate a sync batch queues for tens of ms or more. */
const TBF_RATE = "2mbit"
const TBF_BURST = "16kb"

export interface Impairment {
  lossPercent: number
  delayMs: number
}

async function run(cmd: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(cmd, args, { timeout: COMMAND_TIMEOUT_MS })
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim()
    throw new Error(`${cmd} ${args.join(" ")}: ${stderr || (error as Error).message}`)
  }
}

async function tryRun(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args)
    return true
  } catch {
    return false
  }
}

export class NetworkFaults {
  private netem: boolean | undefined
  readonly cut = new Set<string>()
  readonly impaired = new Set<string>()

  constructor(private readonly hosts: TestHosts) {}

  /** The bridge-side veth of a host: `lv<tag><host name>` (see test/hosts/netns.ts). */
  veth(host: TestHost): string {
    return `lv${this.hosts.bridge.slice("lvbr".length)}${host.name}`
  }

  /** How loss and delay are made on this kernel. */
  async method(): Promise<"netem" | "nftables+tbf"> {
    if (this.netem === undefined) {
      const probe = this.hosts.hosts[0]
      this.netem = await tryRun("ip", ["netns", "exec", probe.ns, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"])
      if (this.netem) await tryRun("ip", ["netns", "exec", probe.ns, "tc", "qdisc", "del", "dev", "lo", "root"])
      else if (!(await tryRun("nft", ["--version"]))) {
        throw new Error("this kernel has no tc netem, and the fallback needs nftables: apt-get install nftables")
      }
    }
    return this.netem ? "netem" : "nftables+tbf"
  }

  /** Cuts a host off the LAN: its link to the bridge goes down (TCP links stay half-open, as with a pulled cable). */
  async cutLink(host: TestHost): Promise<void> {
    await run("ip", ["link", "set", this.veth(host), "down"])
    this.cut.add(host.name)
  }

  async restoreLink(host: TestHost): Promise<void> {
    await run("ip", ["link", "set", this.veth(host), "up"])
    this.cut.delete(host.name)
  }

  /** Packet loss and delay on everything the host sends and receives. */
  async impair(host: TestHost, { lossPercent, delayMs }: Impairment): Promise<void> {
    await this.clearImpairment(host)
    const inNs = (cmd: string[]) => run("ip", ["netns", "exec", host.ns, ...cmd])
    if ((await this.method()) === "netem") {
      await inNs(["tc", "qdisc", "add", "dev", host.iface, "root", "netem", "loss", `${lossPercent}%`, "delay", `${delayMs}ms`])
    } else {
      await inNs(["tc", "qdisc", "add", "dev", host.iface, "root", "tbf", "rate", TBF_RATE, "burst", TBF_BURST, "latency", `${Math.max(delayMs, 1) * 4}ms`])
      const drop = `numgen random mod 100 < ${Math.round(lossPercent)} drop`
      const ruleset = [
        `table inet ${NFT_TABLE} {`,
        `  chain in { type filter hook input priority 0; policy accept; iifname "${host.iface}" ${drop}; }`,
        `  chain out { type filter hook output priority 0; policy accept; oifname "${host.iface}" ${drop}; }`,
        "}",
      ].join("\n")
      await new Promise<void>((resolve, reject) => {
        const child = host.exec(["nft", "-f", "-"])
        let stderr = ""
        child.stderr?.on("data", (chunk) => (stderr += chunk))
        child.once("error", reject)
        child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`nft -f: ${stderr}`))))
        child.stdin?.end(ruleset)
      })
    }
    this.impaired.add(host.name)
  }

  async clearImpairment(host: TestHost): Promise<void> {
    await tryRun("ip", ["netns", "exec", host.ns, "tc", "qdisc", "del", "dev", host.iface, "root"])
    await tryRun("ip", ["netns", "exec", host.ns, "nft", "delete", "table", "inet", NFT_TABLE])
    this.impaired.delete(host.name)
  }

  /** Every link up, every impairment gone. */
  async healAll(): Promise<void> {
    for (const host of this.hosts.hosts) {
      await this.clearImpairment(host)
      if (this.cut.has(host.name)) await this.restoreLink(host)
    }
  }
}
