/** The bench's handle on one automerge-repo peer child process (scripts/bench/automerge-repo-peer.ts). */
import { fork, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { PeerCommand } from "./automerge-repo-peer.js"
import { processCpuMs, processMemoryMiB } from "./machine.js"

const PEER_SCRIPT = fileURLToPath(new URL("./automerge-repo-peer.ts", import.meta.url))
const EXIT_TIMEOUT_MS = 10_000
/**
 * cbor-x (automerge-repo's wire encoding) finds a half-installed native
 * cbor-extract under tsx and then fails on every long string ("extractStrings is
 * not a function"); plain `node` falls back to its JS decoder. Ask for that
 * fallback explicitly: it is what automerge-repo runs with here anyway.
 */
const PEER_ENV = { CBOR_NATIVE_ACCELERATION_DISABLED: "true" }

type Reply = Record<string, unknown> & { seq: number; error?: string }
type Without<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never

export class AutomergeRepoPeer {
  private seq = 0
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>()
  private changedListener: ((ids: string[]) => void) | undefined

  private constructor(readonly name: string, private readonly child: ChildProcess) {
    child.on("message", (message: Reply | { event: "changed"; ids: string[] }) => {
      if ("event" in message) return this.changedListener?.(message.ids as string[])
      const waiter = this.pending.get(message.seq)
      if (!waiter) return
      this.pending.delete(message.seq)
      if (message.error) waiter.reject(new Error(`automerge-repo peer ${name}: ${message.error}`))
      else waiter.resolve(message)
    })
    child.on("exit", (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`automerge-repo peer ${name} exited (${code})`))
      this.pending.clear()
    })
  }

  /** Forks a peer and waits for it to load (its modules: the clock of the figures starts later). */
  static async spawn(name: string): Promise<AutomergeRepoPeer> {
    const child = fork(PEER_SCRIPT, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"], env: { ...process.env, ...PEER_ENV } })
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve)
      child.once("error", reject)
    })
    const peer = new AutomergeRepoPeer(name, child)
    await peer.call({ op: "count" })
    return peer
  }

  get pid(): number {
    return this.child.pid!
  }

  call(command: Without<PeerCommand, "seq">): Promise<Reply> {
    const seq = ++this.seq
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject })
      this.child.send({ ...command, seq })
    })
  }

  onChanged(listener: (ids: string[]) => void): void {
    this.changedListener = listener
  }

  cpuMs(): number {
    return processCpuMs(this.pid)
  }

  memoryMiB(): { rss: number; peak: number } {
    return processMemoryMiB(this.pid)
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()))
    const timer = setTimeout(() => this.child.kill("SIGKILL"), EXIT_TIMEOUT_MS)
    this.call({ op: "exit" }).catch(() => {})
    await exited
    clearTimeout(timer)
  }
}
