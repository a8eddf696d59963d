/**
 * Test hosts (DESIGN §12): network namespaces joined by a bridge, each with `lo`,
 * its own 10.x address and a multicast route, so real daemons and real mDNS run
 * on one machine without touching any other network. Needs root (CI is root).
 */
import { execFile, execFileSync, spawn, type ChildProcess, type StdioOptions } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

const execFileAsync = promisify(execFile)

/** Every name this helper makes starts with `lv` + a 4-hex tag, e.g. bridge `lvbr1a2b`, namespace `lv1a2b-h1`, veth `lv1a2bh1`. */
const NAMESPACE_PATTERN = /^lv([0-9a-f]{4})-h\d+$/
const LINK_PATTERN = /^(?:lvbr([0-9a-f]{4})|lv([0-9a-f]{4})h\d+)$/
/** Marker files `<tag>.pid` say which live process owns a tag; resources of dead owners are stale. */
const OWNER_DIR = join(tmpdir(), "lanvault-test-hosts")
const IP_TIMEOUT_MS = 10_000
const STOP_GRACE_MS = 2_000
const MAX_HOSTS = 250

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  stdio?: StdioOptions
}

/** One test host: a network namespace with one interface (`eth0`) on the shared bridge. */
export interface TestHost {
  /** `h1`, `h2`, … */
  readonly name: string
  /** The network namespace's name. */
  readonly ns: string
  /** Its IPv4 address on the bridge (10.x.0.N). */
  readonly address: string
  /** Its interface's name inside the namespace. */
  readonly iface: string
  /** Starts `cmd` inside the namespace; the process is killed by `cleanup()` if still running. */
  exec(cmd: string[], options?: ExecOptions): ChildProcess
  /** Runs `cmd` inside the namespace to completion. */
  run(cmd: string[], options?: ExecOptions & { input?: string; timeoutMs?: number }): Promise<RunResult>
}

export interface TestHosts {
  readonly hosts: TestHost[]
  /** The bridge joining the hosts (in the root namespace, with no address of its own). */
  readonly bridge: string
  /** e.g. `10.123.0.0/24`. */
  readonly subnet: string
  /** Kills what runs in the hosts and removes namespaces, veths and bridge. Idempotent. */
  cleanup(): Promise<void>
}

/**
 * Creates `count` hosts on a fresh bridge. Register `cleanup` right away (e.g.
 * `afterAll`); it also runs on process exit, SIGINT and SIGTERM, and leftovers of a
 * killed earlier run are removed here first. Throws a clear Error without root.
 */
export async function createHosts(count: number): Promise<TestHosts> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) throw new RangeError(`1 to ${MAX_HOSTS} hosts`)
  await requireIproute2()
  removeStale()
  const tag = await freshTag()
  try {
    claimTag(tag)
  } catch (error) {
    throw needsRoot(`writing ${ownerFile(tag)}`, error)
  }
  const bridge = `lvbr${tag}`
  const octet = 16 + (randomBytes(1)[0] % 235)
  const state = new NetworkState(tag, bridge)
  const exitHook = () => state.cleanupSync()
  const signalHook = (signal: NodeJS.Signals) => {
    state.cleanupSync()
    process.kill(process.pid, signal)
  }
  process.once("exit", exitHook)
  process.once("SIGINT", signalHook)
  process.once("SIGTERM", signalHook)
  state.onDone = () => {
    process.removeListener("exit", exitHook)
    process.removeListener("SIGINT", signalHook)
    process.removeListener("SIGTERM", signalHook)
  }
  try {
    await ip(["link", "add", "name", bridge, "type", "bridge", "mcast_snooping", "0"]).catch((error) => {
      throw needsRoot("`ip link add … type bridge`", error)
    })
    disableIpv6(bridge) // the root namespace takes no part in the test LAN
    await ip(["link", "set", bridge, "up"])
    for (let i = 1; i <= count; i++) state.hosts.push(await createHost(state, i, `10.${octet}.0.${i}`))
  } catch (error) {
    await state.cleanup()
    throw error
  }
  return { hosts: state.hosts, bridge, subnet: `10.${octet}.0.0/24`, cleanup: () => state.cleanup() }
}

class NetworkState {
  readonly hosts: TestHost[] = []
  readonly namespaces: string[] = []
  readonly veths: string[] = []
  readonly children = new Set<ChildProcess>()
  onDone: () => void = () => undefined
  private done: Promise<void> | undefined

  constructor(
    readonly tag: string,
    readonly bridge: string,
  ) {}

  cleanup(): Promise<void> {
    this.done ??= this.doCleanup()
    return this.done
  }

  private async doCleanup(): Promise<void> {
    await Promise.all([...this.children].map((child) => stopChild(child)))
    this.removeAll()
  }

  /** For `exit` and signal handlers, which cannot wait. */
  cleanupSync(): void {
    if (this.done !== undefined) return
    this.done = Promise.resolve()
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    this.removeAll()
  }

  private removeAll(): void {
    removeResources(this.namespaces, [...this.veths, this.bridge])
    rmSync(ownerFile(this.tag), { force: true })
    this.onDone()
  }
}

async function createHost(state: NetworkState, index: number, address: string): Promise<TestHost> {
  const ns = `lv${state.tag}-h${index}`
  const veth = `lv${state.tag}h${index}`
  const iface = "eth0"
  await ip(["netns", "add", ns]).catch((error) => {
    throw needsRoot("`ip netns add`", error)
  })
  state.namespaces.push(ns)
  await ip(["link", "add", veth, "type", "veth", "peer", "name", iface, "netns", ns])
  state.veths.push(veth)
  disableIpv6(veth)
  await ip(["link", "set", veth, "master", state.bridge, "up"])
  await ip(["-n", ns, "link", "set", "lo", "up"])
  await ip(["-n", ns, "addr", "add", `${address}/24`, "dev", iface])
  await ip(["-n", ns, "link", "set", iface, "up"])
  await ip(["-n", ns, "route", "add", "224.0.0.0/4", "dev", iface])
  const exec = (cmd: string[], options: ExecOptions = {}): ChildProcess => {
    const child = spawn("ip", ["netns", "exec", ns, ...cmd], { env: options.env ?? process.env, cwd: options.cwd, stdio: options.stdio ?? "pipe" })
    state.children.add(child)
    child.once("exit", () => state.children.delete(child))
    child.once("error", () => state.children.delete(child))
    return child
  }
  const run = (cmd: string[], options: ExecOptions & { input?: string; timeoutMs?: number } = {}) => runToEnd(exec(cmd, options), options)
  return { name: `h${index}`, ns, address, iface, exec, run }
}

function runToEnd(child: ChildProcess, options: { input?: string; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000)
    child.once("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    // A command that exits without reading its input closes the pipe: the write then fails
    // with EPIPE, which says nothing the exit code does not (and unhandled, it fails the run).
    child.stdin?.once("error", () => {})
    child.stdin?.end(options.input ?? "")
  })
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  child.kill("SIGTERM")
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}

/** Kills what still runs in the namespaces (only ever our own test processes), then deletes everything. */
function removeResources(namespaces: readonly string[], links: readonly string[]): void {
  for (const ns of namespaces) {
    for (const pid of ipSync(["netns", "pids", ns]).split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL")
      } catch {
        // already gone
      }
    }
    ipSync(["netns", "del", ns])
  }
  for (const link of links) ipSync(["link", "del", link])
}

/** Removes namespaces and links of earlier runs whose owning process is dead. */
function removeStale(): void {
  const stale = (tag: string) => !ownerAlive(tag)
  const namespaces = ipSync(["netns", "list"])
    .split("\n")
    .map((line) => line.split(" ")[0])
    .filter((name) => NAMESPACE_PATTERN.test(name) && stale(NAMESPACE_PATTERN.exec(name)![1]))
  const links = ipSync(["-o", "link", "show"])
    .split("\n")
    .map((line) => line.split(": ")[1]?.split("@")[0] ?? "")
    .filter((name) => {
      const match = LINK_PATTERN.exec(name)
      return match !== null && stale(match[1] ?? match[2])
    })
  removeResources(namespaces, links)
  for (const file of safeReaddir(OWNER_DIR)) {
    const tag = file.replace(/\.pid$/, "")
    if (stale(tag)) rmSync(join(OWNER_DIR, file), { force: true })
  }
}

async function freshTag(): Promise<string> {
  const taken = ipSync(["netns", "list"]) + ipSync(["-o", "link", "show"])
  for (;;) {
    const tag = randomBytes(2).toString("hex")
    if (!taken.includes(`lv${tag}`) && !taken.includes(`lvbr${tag}`) && !ownerAlive(tag)) return tag
  }
}

function claimTag(tag: string): void {
  mkdirSync(OWNER_DIR, { recursive: true })
  writeFileSync(ownerFile(tag), String(process.pid))
}

function ownerAlive(tag: string): boolean {
  let pid: number
  try {
    pid = Number(readFileSync(ownerFile(tag), "utf8"))
  } catch {
    return false
  }
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

function ownerFile(tag: string): string {
  return join(OWNER_DIR, `${tag}.pid`)
}

async function requireIproute2(): Promise<void> {
  try {
    await execFileAsync("ip", ["-V"], { timeout: IP_TIMEOUT_MS })
  } catch (error) {
    throw new Error(`test hosts need iproute2 (the \`ip\` command; Debian: apt-get install iproute2): ${errorText(error)}`)
  }
}

async function ip(args: string[]): Promise<void> {
  try {
    await execFileAsync("ip", args, { timeout: IP_TIMEOUT_MS })
  } catch (error) {
    throw new Error(`ip ${args.join(" ")}: ${errorText(error)}`)
  }
}

/** `ip …` that never throws (cleanup and listing); returns stdout, or "" on failure. */
function ipSync(args: string[]): string {
  try {
    return execFileSync("ip", args, { timeout: IP_TIMEOUT_MS, stdio: ["ignore", "pipe", "ignore"] }).toString()
  } catch {
    return ""
  }
}

function disableIpv6(link: string): void {
  try {
    writeFileSync(`/proc/sys/net/ipv6/conf/${link}/disable_ipv6`, "1")
  } catch {
    // no IPv6 in this kernel: nothing to disable
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function needsRoot(step: string, error: unknown): Error {
  return new Error(
    "test hosts need network namespaces and a bridge: run the tests as root (CAP_SYS_ADMIN and CAP_NET_ADMIN; CI runs as root). " +
      `${step} failed: ${errorText(error)}`,
  )
}

function errorText(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr
  return (typeof stderr === "string" && stderr.trim()) || (error instanceof Error ? error.message : String(error))
}
