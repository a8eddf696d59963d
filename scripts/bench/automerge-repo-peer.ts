/**
 * One automerge-repo peer for the bench's baseline, run as a child process
 * (`node --import tsx`, forked with an IPC channel) like a lanvault daemon: a
 * `Repo` with `NodeFSStorageAdapter` on a temp dir and the WebSocket network
 * adapter — the "server" peer listens (`WebSocketServerAdapter` on a `ws`
 * WebSocketServer), the "client" peer dials (`WebSocketClientAdapter`).
 *
 * The vault is modelled the way most people would: records (plain objects, as
 * the lanvault bench creates them) in a map `records` keyed by id, in one
 * document — or spread over `docs` bucket documents by index.
 *
 * Commands come over IPC ({@link PeerCommand}); every reply carries the same `seq`.
 */
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { Repo, type AutomergeUrl, type DocHandle } from "@automerge/automerge-repo"
import { WebSocketClientAdapter, WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { WebSocketServer } from "ws"
import { SEED, SYNC_POLL_MS } from "./config.js"
import { RecordGenerator } from "./record-generator.js"

interface VaultDoc {
  records: Record<string, unknown>
}

export type PeerCommand =
  | { seq: number; op: "listen" }
  | { seq: number; op: "create"; records: number; docs: number; batch: number }
  | { seq: number; op: "sync"; url: string; urls: string[]; records: number }
  | { seq: number; op: "edit"; id: string; value: string }
  | { seq: number; op: "count" }
  | { seq: number; op: "exit" }

const SERVER_PEER_ID = "server"
/**
 * The server adapter pings every peer this often and drops one whose pong has
 * not been read by the next ping (default 5 s). A server busy serving a first
 * sync on a loaded 2-core machine reads no pong for longer than that, drops the
 * client mid-sync, and the client's documents then turn unavailable. lanvault's
 * links have no such timer; a minute keeps the check without that false alarm.
 */
const KEEP_ALIVE_MS = 60_000
const dir = mkdtempSync(join(tmpdir(), "lanvault-bench-automerge-"))
let repo: Repo | undefined
let handles: DocHandle<VaultDoc>[] = []
/** Record id → index of the document that holds it (server side). */
const docOf = new Map<string, number>()
let wss: WebSocketServer | undefined

function reply(seq: number, body: Record<string, unknown> = {}): void {
  process.send!({ seq, ...body })
}

async function handle(command: PeerCommand): Promise<void> {
  switch (command.op) {
    case "listen": {
      wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
      await new Promise<void>((resolve) => wss!.once("listening", () => resolve()))
      repo = new Repo({ network: [new WebSocketServerAdapter(wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0], KEEP_ALIVE_MS)], storage: new NodeFSStorageAdapter(dir), peerId: SERVER_PEER_ID as never })
      const address = wss.address()
      return reply(command.seq, { port: typeof address === "object" && address ? address.port : 0 })
    }
    case "create": {
      // One change per `batch` records (1 = one change per record, like a person adding them over time).
      const generator = new RecordGenerator(SEED)
      handles = Array.from({ length: command.docs }, () => repo!.create<VaultDoc>({ records: {} }))
      const ids: string[] = []
      for (let i = 0; i < command.records; i += command.batch) {
        const added: Array<[string, unknown]> = []
        for (let j = i; j < Math.min(command.records, i + command.batch); j++) {
          const id = randomUUID()
          ids.push(id)
          docOf.set(id, j % command.docs)
          added.push([id, JSON.parse(JSON.stringify(generator.next()))])
        }
        const byDoc = new Map<number, Array<[string, unknown]>>()
        for (const [id, record] of added) byDoc.set(docOf.get(id)!, [...(byDoc.get(docOf.get(id)!) ?? []), [id, record]])
        for (const [doc, entries] of byDoc) {
          handles[doc].change((d) => {
            for (const [id, record] of entries) d.records[id] = record
          })
        }
      }
      await repo!.flush()
      return reply(command.seq, { urls: handles.map((h) => h.url), ids })
    }
    case "sync": {
      // The clock (in the bench) runs from this command: make the repo, connect, find every document, wait for all records.
      repo = new Repo({ network: [new WebSocketClientAdapter(command.url)], storage: new NodeFSStorageAdapter(dir), peerId: `client-${randomUUID()}` as never })
      // Find only once the server is a peer. The client adapter calls itself ready
      // 1 s after connecting even without the server's answer (a busy server, e.g. one
      // still answering the previous peer); a document requested with no peer is
      // marked unavailable at once and find() rejects ("Document … is unavailable",
      // automerge-repo issues #155 and #297).
      await whenPeerConnected(repo, SERVER_PEER_ID)
      // Handles in any state, then poll: on a loaded machine a first sync may outlast a
      // handle's fixed 60 s request timeout (DocHandle timeoutDelay, not a Repo option);
      // find() would then reject though the document still arrives (unavailable → ready).
      handles = await Promise.all(command.urls.map((url) => repo!.find<VaultDoc>(url as AutomergeUrl, { allowableStates: ["ready", "requesting", "unavailable"] })))
      while (countRecords() < command.records) await sleep(SYNC_POLL_MS)
      for (const h of handles) {
        h.on("change", ({ patches }) => {
          const ids = new Set<string>()
          for (const patch of patches) if (patch.path[0] === "records" && typeof patch.path[1] === "string") ids.add(patch.path[1])
          if (ids.size > 0) process.send!({ event: "changed", ids: [...ids] })
        })
      }
      return reply(command.seq, { records: countRecords() })
    }
    case "edit": {
      const h = handles[docOf.get(command.id) ?? 0]
      h.change((d) => {
        const record = d.records[command.id] as { fields?: Record<string, { value: string }> }
        if (record.fields?.password) record.fields.password.value = command.value
        else (record as Record<string, unknown>).title = command.value
      })
      return reply(command.seq)
    }
    case "count":
      return reply(command.seq, { records: countRecords() })
    case "exit":
      reply(command.seq)
      await shutdown()
      process.exit(0)
  }
}

/** Resolves once `peerId` is connected (registered with the repo's synchronizer), at once if it already is. */
function whenPeerConnected(target: Repo, peerId: string): Promise<void> {
  return new Promise((resolve) => {
    if (target.peers.includes(peerId as never)) return resolve()
    const onPeer = (event: { peerId: string }) => {
      if (event.peerId !== peerId) return
      target.networkSubsystem.off("peer", onPeer)
      resolve()
    }
    target.networkSubsystem.on("peer", onPeer)
  })
}

function countRecords(): number {
  let n = 0
  for (const h of handles) {
    const doc = h.isReady() ? h.doc() : undefined
    if (doc?.records) n += Object.keys(doc.records).length
  }
  return n
}

async function shutdown(): Promise<void> {
  try {
    await repo?.shutdown()
  } catch {
    // exiting anyway
  }
  wss?.close()
  rmSync(dir, { recursive: true, force: true })
}

process.on("message", (command: PeerCommand) => {
  handle(command).catch((error: unknown) => reply(command.seq, { error: String(error instanceof Error ? (error.stack ?? error.message) : error) }))
})
// A handle's fixed 60 s wait for "ready" (DocHandle timeoutDelay) rejects inside automerge-repo, unhandled,
// when a first sync of 100k records on a loaded machine outlasts it; the document still arrives, and the
// `sync` command polls until every record has: note it instead of dying.
process.on("unhandledRejection", (reason) => {
  if (!(reason instanceof Error && reason.name === "TimeoutError")) throw reason
  process.stderr.write(`automerge-repo peer: ${reason.message} (a wait inside automerge-repo; the sync goes on)\n`)
})
process.on("disconnect", () => void shutdown().finally(() => process.exit(0)))
process.on("SIGTERM", () => void shutdown().finally(() => process.exit(0)))
