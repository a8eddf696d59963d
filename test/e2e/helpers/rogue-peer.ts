/**
 * A hostile peer for end-to-end tests: it speaks raw WebSocket, Noise and sync
 * messages to a real daemon, and can break any of them on purpose. Each rogue
 * connects from a loopback source address of its own (127.0.0.0/8 is all
 * loopback), so its attempts never eat the per-address rate budget of
 * 127.0.0.1, where the legitimate daemons dial from, and the daemon's log lines
 * about it are told apart by address.
 */
import { connect as netConnect } from "node:net"
import { join } from "node:path"
import Database from "better-sqlite3"
import { WebSocket } from "ws"
import { pairingCommitment, PAIRING_NONCE_BYTES, randomBytes } from "../../../src/crypto/index.js"
import { accountTag, encodeHello, type HelloPayload } from "../../../src/connections/handshake-payload.js"
import { PAIR_PATH, TRUSTED_PATH } from "../../../src/connections/peer-address.js"
import { encodeJoinRequest } from "../../../src/pairing/pairing-messages.js"
import { sealEntry, type LogEntry } from "../../../src/store/log-entry.js"
import { SqliteStore } from "../../../src/store/sqlite-store.js"
import { decodeMessage, encodeMessage, type SyncMessage } from "../../../src/sync/messages.js"
import { runHandshake, WsFrameSocket, type Channel, type FrameSocket, type HandshakeResult } from "../../../src/transport/index.js"
import type { DaemonProcess } from "./cli.js"
import { NO_KEYSET } from "../../../src/store/keyset-rank.js"

export { PAIR_PATH, TRUSTED_PATH }

let lastOctet = 10

/** A loopback address no other rogue of this process uses (127.0.0.11, .12, …). */
export function nextLoopbackAddress(): string {
  lastOctet += 1
  if (lastOctet > 254) throw new Error("out of loopback source addresses")
  return `127.0.0.${lastOctet}`
}

/** How the daemon ended a connection, as this side saw it. */
export interface SeenClose {
  code: number
  reason: string
  /** ms from the WebSocket opening to its close. */
  afterMs: number
}

/**
 * One WebSocket to a daemon, usable as the FrameSocket under `runHandshake`
 * and `Channel`: it records every frame it sends, can hold frames back instead
 * of sending them (to replay, reorder or tamper with them), and can send
 * anything raw, text included.
 */
export class RogueConnection implements FrameSocket {
  /** Every binary frame sent through the FrameSocket side, in order (Noise ciphertexts after the handshake). */
  readonly sent: Uint8Array[] = []
  /** Frames held back while `holding` is set. */
  readonly held: Uint8Array[] = []
  /** When set, FrameSocket sends go to `held` instead of the wire. */
  holding = false
  /** Resolves when the WebSocket has closed, with the code the daemon sent. */
  readonly closed: Promise<SeenClose>
  private readonly frames: WsFrameSocket

  private constructor(private readonly ws: WebSocket, readonly from: string, openedAt: number) {
    this.frames = new WsFrameSocket(ws, "127.0.0.1", 0)
    this.closed = new Promise((resolve) => {
      ws.once("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString("utf8"), afterMs: Date.now() - openedAt }))
    })
  }

  /** Opens a WebSocket to `127.0.0.1:port` on `path`, from the loopback address `from`. */
  static open(port: number, options: { path: string; from: string; timeoutMs?: number }): Promise<RogueConnection> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${options.path}`, {
      perMessageDeflate: false,
      // Room above the daemon's own limit, so only the daemon's limits are under test.
      maxPayload: 1024 * 1024,
      createConnection: () => netConnect({ host: "127.0.0.1", port, localAddress: options.from }),
    })
    ws.on("error", () => undefined)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate()
        reject(new Error(`no WebSocket to port ${port} within ${options.timeoutMs ?? 5_000} ms`))
      }, options.timeoutMs ?? 5_000)
      ws.once("open", () => {
        clearTimeout(timer)
        resolve(new RogueConnection(ws, options.from, Date.now()))
      })
      ws.once("close", (code: number) => {
        clearTimeout(timer)
        reject(new Error(`the WebSocket closed before it opened (code ${code})`))
      })
    })
  }

  /** Whether the WebSocket is still open. */
  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN
  }

  send(bytes: Uint8Array): void {
    const copy = bytes.slice()
    if (this.holding) {
      this.held.push(copy)
      return
    }
    this.sent.push(copy)
    this.frames.send(bytes)
  }

  close(code: number, reason: string): void {
    this.frames.close(code, reason)
  }

  onMessage(fn: (bytes: Uint8Array) => void): void {
    this.frames.onMessage(fn)
  }

  onClose(fn: (code: number, reason: string) => void): void {
    this.frames.onClose(fn)
  }

  /** Sends one binary frame as is, past the recording and holding. */
  sendRaw(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true })
  }

  /** Sends a text frame (the wire contract allows binary only). */
  sendText(text: string): void {
    this.ws.send(text, { binary: false })
  }

  /** Cuts the TCP connection without a close frame. */
  terminate(): void {
    this.ws.terminate()
  }

  /** The close, or undefined if the connection is still open after `ms`. */
  closedWithin(ms: number): Promise<SeenClose | undefined> {
    return Promise.race([this.closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())])
  }
}

/** What a rogue learnt from a handshake it finished. */
export interface RogueSession {
  connection: RogueConnection
  result: HandshakeResult
  channel: Channel
  /** The responder's payload from message 2 (the daemon's hello, in trusted mode). */
  responderPayload: Uint8Array
}

/**
 * A trusted-mode (Noise IK) handshake as initiator with `staticSecret`, aimed at
 * the device whose static key is `responderStatic`, sending `payload` in
 * message 1. Rejects as `runHandshake` does (PEER_REFUSED with `data.reason`
 * when the daemon refuses; `data.notThisDevice` when the key was not its).
 */
export async function trustedHandshake(connection: RogueConnection, staticSecret: Uint8Array, payload: Uint8Array, responderStatic: Uint8Array): Promise<RogueSession> {
  let responderPayload: Uint8Array = new Uint8Array(0)
  const result = await runHandshake(connection, {
    role: "initiator",
    mode: "trusted",
    staticSecret,
    remoteStatic: responderStatic,
    payload,
    accept: (_remoteStatic, remotePayload) => {
      responderPayload = remotePayload
      return "accept"
    },
  })
  return { connection, result, channel: result.channel, responderPayload }
}

/**
 * A pairing (XXpsk3) handshake as a joining device with `accountKey` and fresh
 * keys, claiming `deviceId` (random by default), committed to `nonce` as
 * `lanvault join` is (issue 17): the caller goes on with the code check.
 */
export async function pairingHandshake(
  connection: RogueConnection, accountKey: Uint8Array, claim: { name?: string; deviceId?: string } = {},
): Promise<HandshakeResult & { nonce: Uint8Array }> {
  const nonce = randomBytes(PAIRING_NONCE_BYTES)
  const result = await runHandshake(connection, {
    role: "initiator",
    mode: "pair",
    staticSecret: randomBytes(32),
    accountKey,
    payload: encodeJoinRequest({
      deviceId: claim.deviceId ?? randomDeviceId(), name: claim.name ?? "rogue", signPublic: randomBytes(32), commit: pairingCommitment(nonce),
    }),
    accept: () => "accept",
  })
  return { ...result, nonce }
}

/** A trusted-mode hello as a device of the account `accountIdHex` would send it. */
export function helloFor(accountIdHex: string, deviceId: string, generation = 1): Uint8Array {
  return encodeHello({ deviceId, accountTag: accountTag(accountIdHex), generation } satisfies HelloPayload)
}

export function randomDeviceId(): string {
  return Buffer.from(randomBytes(16)).toString("hex")
}

/** A device's identity row from its vault.db (the daemon of that home must be stopped, or never started). */
export interface StolenIdentity {
  deviceId: string
  signSecret: Uint8Array
  dhSecret: Uint8Array
}

export function readIdentity(home: string): StolenIdentity {
  // The store opens the device's keys with device.key beside vault.db, as a thief holding the whole home could.
  const store = SqliteStore.open(join(home, "vault.db"))
  try {
    const identity = store.getIdentity()
    if (!identity) throw new Error(`${home} holds no identity`)
    return identity
  } finally {
    store.close()
  }
}

/** Highest stored seq of every device's log, read straight from vault.db (WAL: safe while the daemon runs). */
export function readHeads(home: string): Record<string, number> {
  return withDatabase(home, (db) => {
    const rows = db.prepare("SELECT device_id, seq FROM heads ORDER BY device_id").all() as Array<{ device_id: string; seq: number }>
    return Object.fromEntries(rows.map((r) => [r.device_id, r.seq]))
  })
}

/** The trust list as stored in vault.db, keys in hex (what a hostile peer must never change). */
export function readTrust(home: string): Array<Record<string, string | number | null>> {
  return withDatabase(home, (db) => {
    const rows = db.prepare("SELECT device_id, name, hex(sign_public) AS sign_public, hex(dh_public) AS dh_public, added_at, revoked_at FROM trust ORDER BY device_id").all()
    return rows as Array<Record<string, string | number | null>>
  })
}

/** A device's static (X25519) public key as another device's trust list holds it. */
export function trustedDhPublic(home: string, deviceId: string): Uint8Array {
  return withDatabase(home, (db) => {
    const key = db.prepare("SELECT dh_public FROM trust WHERE device_id = ?").pluck().get(deviceId) as Buffer | undefined
    if (!key) throw new Error(`${home} does not trust ${deviceId}`)
    return new Uint8Array(key)
  })
}

/** Number of stored log entries, all devices. */
export function countEntries(home: string): number {
  return withDatabase(home, (db) => db.prepare("SELECT count(*) FROM entries").pluck().get() as number)
}

function withDatabase<T>(home: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(home, "vault.db"), { readonly: true, fileMustExist: true })
  try {
    return read(db)
  } finally {
    db.close()
  }
}

/**
 * A log entry of `deviceId` at `seq`. With `signSecret` it is properly sealed
 * and signed (under a vault key nobody has); without, its signature is random.
 */
export function forgedEntry(args: { accountIdHex: string; deviceId: string; seq: number; signSecret?: Uint8Array }): LogEntry {
  const entry = sealEntry({
    accountId: new Uint8Array(Buffer.from(args.accountIdHex, "hex")),
    deviceId: args.deviceId,
    seq: args.seq,
    epoch: 1,
    vaultKey: randomBytes(32),
    signSecret: args.signSecret ?? randomBytes(32),
    payload: randomBytes(64),
  })
  return args.signSecret ? entry : { ...entry, signature: randomBytes(64) }
}

/** The sync hello of a device that holds nothing. */
export function emptySyncHello(): Uint8Array {
  return encodeMessage({ type: "hello", vector: {}, keyset: NO_KEYSET, trust: [] })
}

/** Collects the sync messages the daemon sends on a channel; `next(type)` waits for one of a type. */
export function syncInbox(channel: Channel): { messages: SyncMessage[]; next: (type: SyncMessage["type"], timeoutMs?: number) => Promise<SyncMessage> } {
  const messages: SyncMessage[] = []
  const waiters: Array<() => void> = []
  channel.onMessage((bytes) => {
    messages.push(decodeMessage(bytes))
    for (const wake of waiters.splice(0)) wake()
  })
  const next = async (type: SyncMessage["type"], timeoutMs = 5_000): Promise<SyncMessage> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = messages.find((m) => m.type === type)
      if (found) return found
      if (Date.now() > deadline) throw new Error(`no "${type}" sync message within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 100).unref()
      })
    }
  }
  return { messages, next }
}

/** One JSON line of the daemon's log (pino). */
export interface LogLine {
  level: number
  msg: string
  [field: string]: unknown
}

export const LOG_INFO = 30

/** The daemon's JSON log lines written after `offset` characters of its output. */
export function logLinesSince(daemon: DaemonProcess, offset: number): LogLine[] {
  const lines: LogLine[] = []
  for (const text of daemon.output().slice(offset).split("\n")) {
    if (!text.startsWith("{")) continue
    try {
      lines.push(JSON.parse(text) as LogLine)
    } catch {
      // a line still being written
    }
  }
  return lines
}

/** Polls the log after `offset` for a line matching `match`; undefined after `timeoutMs`. */
export async function findLogLine(daemon: DaemonProcess, offset: number, match: (line: LogLine) => boolean, timeoutMs = 3_000): Promise<LogLine | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const line = logLinesSince(daemon, offset).find(match)
    if (line || Date.now() > deadline) return line
    await new Promise((r) => setTimeout(r, 50))
  }
}
