import { spawn, type ChildProcess } from "node:child_process"
import { connect, type Socket } from "node:net"
import nacl from "tweetnacl"
import { JsonObjectSplitter } from "../../../src/browser/json-stream.js"
import { encodeNativeMessage, NativeMessageReader } from "../../../src/browser/native-messaging.js"

/**
 * A KeePassXC-Browser protocol client written for the tests from the protocol
 * document (keepassxc-browser's keepassxc-protocol.md): NaCl box with tweetnacl,
 * the library the extension itself uses. It talks either straight to the
 * browser socket (raw JSON, as keepassxc-proxy does) or through a native-messaging
 * host process (keepassxc-proxy or lanvault's relay) with 4-byte length framing.
 */

export type Json = Record<string, unknown>

/** Sends and receives JSON objects. */
export interface KpxcTransport {
  send(message: Json | string): void
  sendRaw(bytes: Buffer | string): void
  next(timeoutMs?: number): Promise<Json>
  close(): void
}

class Inbox {
  private readonly queue: Json[] = []
  private waiter: ((m: Json) => void) | undefined
  push(message: Json): void {
    if (this.waiter) {
      const w = this.waiter
      this.waiter = undefined
      w(message)
    } else this.queue.push(message)
  }
  next(timeoutMs = 5_000): Promise<Json> {
    const queued = this.queue.shift()
    if (queued) return Promise.resolve(queued)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined
        reject(new Error(`no message within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiter = (m) => {
        clearTimeout(timer)
        resolve(m)
      }
    })
  }
}

/** Straight to the socket: JSON objects written as they are. */
export async function socketTransport(path: string): Promise<KpxcTransport & { socket: Socket }> {
  const socket = connect(path)
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve)
    socket.once("error", reject)
  })
  const inbox = new Inbox()
  const splitter = new JsonObjectSplitter(4 * 1024 * 1024)
  socket.setEncoding("utf8")
  socket.on("data", (text: string) => splitter.push(text).forEach((o) => inbox.push(JSON.parse(o) as Json)))
  socket.on("error", () => undefined)
  return {
    socket,
    send: (m) => socket.write(typeof m === "string" ? m : JSON.stringify(m)),
    sendRaw: (b) => socket.write(b),
    next: (t) => inbox.next(t),
    close: () => socket.destroy(),
  }
}

/** Through a native-messaging host process, as a browser runs it. */
export function hostTransport(command: string, args: string[], env: NodeJS.ProcessEnv): KpxcTransport & { child: ChildProcess; stderr: () => string } {
  const child = spawn(command, args, { env, stdio: ["pipe", "pipe", "pipe"] })
  const inbox = new Inbox()
  const reader = new NativeMessageReader()
  let stderr = ""
  child.stderr!.on("data", (c) => (stderr += c))
  child.stdout!.on("data", (chunk: Buffer) => reader.push(chunk).forEach((m) => inbox.push(JSON.parse(m) as Json)))
  child.stdin!.on("error", () => undefined)
  return {
    child,
    stderr: () => stderr,
    send: (m) => child.stdin!.write(encodeNativeMessage(typeof m === "string" ? m : JSON.stringify(m))),
    sendRaw: (b) => child.stdin!.write(b),
    next: (t) => inbox.next(t),
    close: () => child.kill("SIGTERM"),
  }
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64")
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"))

/** sodium_increment, written again here so the test does not trust the server's. */
export function increment(nonce: Uint8Array): Uint8Array {
  const out = Uint8Array.from(nonce)
  for (let i = 0, carry = 1; i < out.length && carry; i++) {
    const sum = out[i] + carry
    out[i] = sum & 0xff
    carry = sum >> 8
  }
  return out
}

/** What a request's answer was: the outer object, and the decrypted inner one when there is one. */
export interface Answer {
  outer: Json
  inner?: Json
}

export class KpxcClient {
  readonly keyPair = nacl.box.keyPair()
  readonly idKeyPair = nacl.box.keyPair()
  clientId = b64(nacl.randomBytes(24))
  serverKey: Uint8Array | undefined
  associatedId: string | undefined
  lastRequest: Json | undefined
  /** Notifications that arrived while waiting for an answer. */
  readonly notifications: Json[] = []

  constructor(readonly transport: KpxcTransport) {}

  async changePublicKeys(): Promise<Json> {
    const nonce = nacl.randomBytes(24)
    this.transport.send({ action: "change-public-keys", publicKey: b64(this.keyPair.publicKey), nonce: b64(nonce), clientID: this.clientId })
    const reply = await this.transport.next()
    if (reply.success === "true") {
      if (reply.nonce !== b64(increment(nonce))) throw new Error("change-public-keys: reply nonce is not the request's incremented")
      this.serverKey = unb64(String(reply.publicKey))
    }
    return reply
  }

  /** Builds an encrypted request (not sent). */
  request(action: string, inner: Json, options: { nonce?: Uint8Array; triggerUnlock?: boolean; clientId?: string } = {}): { request: Json; nonce: Uint8Array } {
    const nonce = options.nonce ?? nacl.randomBytes(24)
    const sealed = nacl.box(Buffer.from(JSON.stringify({ action, ...inner })), nonce, this.serverKey!, this.keyPair.secretKey)
    const request: Json = { action, message: b64(sealed), nonce: b64(nonce), clientID: options.clientId ?? this.clientId }
    if (options.triggerUnlock) request.triggerUnlock = "true"
    return { request, nonce }
  }

  /** Sends an encrypted request and reads its answer, checking the reply nonce and decrypting. */
  async call(action: string, inner: Json = {}, options: { nonce?: Uint8Array; triggerUnlock?: boolean; clientId?: string } = {}): Promise<Answer> {
    const { request, nonce } = this.request(action, inner, options)
    this.lastRequest = request
    this.transport.send(request)
    return this.read(nonce)
  }

  /** Reads the next answer (skipping notifications) for a request sent with `nonce`. */
  async read(nonce: Uint8Array): Promise<Answer> {
    let outer = await this.transport.next()
    while (outer.action === "database-locked" || outer.action === "database-unlocked") {
      this.notifications.push(outer)
      outer = await this.transport.next()
    }
    if (typeof outer.message !== "string") return { outer }
    const expected = b64(increment(nonce))
    if (outer.nonce !== expected) throw new Error("reply nonce is not the request's incremented")
    const opened = nacl.box.open(unb64(outer.message), unb64(String(outer.nonce)), this.serverKey!, this.keyPair.secretKey)
    if (!opened) throw new Error("reply does not decrypt")
    const inner = JSON.parse(Buffer.from(opened).toString("utf8")) as Json
    if (inner.nonce !== expected || inner.success !== "true") throw new Error("inner reply nonce or success wrong")
    return { outer, inner }
  }

  async associate(): Promise<Answer> {
    const answer = await this.call("associate", { key: b64(this.keyPair.publicKey), idKey: b64(this.idKeyPair.publicKey) })
    if (answer.inner) this.associatedId = String(answer.inner.id)
    return answer
  }

  testAssociate(id = this.associatedId, key = b64(this.idKeyPair.publicKey)): Promise<Answer> {
    return this.call("test-associate", { id, key })
  }

  getLogins(url: string): Promise<Answer> {
    return this.call("get-logins", { url, keys: [{ id: this.associatedId, key: b64(this.idKeyPair.publicKey) }] })
  }
}
