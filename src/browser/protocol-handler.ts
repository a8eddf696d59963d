import { generate } from "../credentials/index.js"
import { BoxSession, BOX_KEY_BYTES, BOX_NONCE_BYTES, decodeBase64, incrementNonce } from "./box-session.js"
import { errorReply, KpxcError } from "./kpxc-errors.js"
import type { BrowserBackend } from "./ports.js"
import { LOGIN_GROUP } from "./vault-logins.js"

/** The KeePassXC version we answer as: the extension turns features on by it (TOTP ≥ 2.6.1, its own generator ≥ 2.7.0). */
export const COMPAT_VERSION = "2.7.4"
/** Browser sessions one connection may hold (keepassxc-proxy serves one browser; each restart makes a new one). */
const MAX_SESSIONS_PER_CONNECTION = 8
const MAX_CLIENT_ID_CHARS = 256
const MAX_FIELD_CHARS = 64 * 1024
const GENERATED_PASSWORD_CHARS = 24

type Json = Record<string, unknown>
type Reply = Record<string, unknown>

/** A browser session: its keys and the association it proved (rechecked on every request). */
interface ClientSession {
  box: BoxSession
  association?: { id: string; key: string }
}

/** A decrypted request and what its reply needs. */
interface Request {
  action: string
  session: ClientSession
  inner: Json
  replyNonce: Uint8Array
  requestId?: string
}

/**
 * The keepassxc-protocol for one connection (pure: no sockets). `handle` takes
 * one request object and returns the reply object: encrypted replies for the
 * actions, plain `{action, errorCode, error}` for failures, never an exception.
 */
export class BrowserProtocol {
  private readonly sessions = new Map<string, ClientSession>()

  constructor(private readonly backend: BrowserBackend) {}

  async handle(message: unknown): Promise<Reply> {
    if (!isObject(message) || Object.keys(message).length === 0) return errorReply("", "EMPTY_MESSAGE_RECEIVED")
    const action = message.action
    const requestId = typeof message.requestID === "string" && message.requestID.length <= 64 ? message.requestID : undefined
    if (typeof action !== "string" || action.length === 0 || action.length > 64) return errorReply("", "INCORRECT_ACTION", requestId)
    try {
      if (action === "change-public-keys") return this.changePublicKeys(message)
      const request = this.decrypt(action, message, requestId)
      return await this.dispatch(request)
    } catch (error) {
      if (error instanceof KpxcError) return errorReply(action, error.kind, requestId)
      if ((error as { code?: unknown }).code === "LOCKED") return errorReply(action, "DATABASE_NOT_OPENED", requestId)
      return errorReply(action, "ACTION_CANCELLED_OR_DENIED", requestId)
    }
  }

  /** Forgets every session's keys (the connection closed). */
  close(): void {
    for (const session of this.sessions.values()) session.box.wipe()
    this.sessions.clear()
  }

  private changePublicKeys(message: Json): Reply {
    const publicKey = decodeBase64(message.publicKey, BOX_KEY_BYTES)
    const nonce = decodeBase64(message.nonce, BOX_NONCE_BYTES)
    const clientId = message.clientID
    if (publicKey === undefined || nonce === undefined || typeof clientId !== "string" || clientId.length === 0 || clientId.length > MAX_CLIENT_ID_CHARS) {
      throw new KpxcError("CLIENT_PUBLIC_KEY_NOT_RECEIVED")
    }
    this.sessions.get(clientId)?.box.wipe()
    this.sessions.delete(clientId)
    if (this.sessions.size >= MAX_SESSIONS_PER_CONNECTION) {
      const oldest = this.sessions.keys().next().value as string
      this.sessions.get(oldest)?.box.wipe()
      this.sessions.delete(oldest)
    }
    const box = new BoxSession(publicKey)
    box.admitNonce(nonce)
    this.sessions.set(clientId, { box })
    const reply = incrementNonce(nonce)
    return { action: "change-public-keys", version: COMPAT_VERSION, publicKey: box.publicKey, nonce: b64(reply), success: "true" }
  }

  private decrypt(action: string, message: Json, requestId: string | undefined): Request {
    const session = typeof message.clientID === "string" ? this.sessions.get(message.clientID) : undefined
    if (session === undefined) throw new KpxcError("CLIENT_PUBLIC_KEY_NOT_RECEIVED")
    if (this.backend.locked) {
      if (message.triggerUnlock === "true") this.backend.requestUnlock()
      throw new KpxcError("DATABASE_NOT_OPENED")
    }
    const nonce = decodeBase64(message.nonce, BOX_NONCE_BYTES)
    const sealed = decodeBase64(message.message)
    const opened = nonce === undefined || sealed === undefined ? undefined : session.box.open(sealed, nonce)
    // Only an authenticated message uses up its nonce; a second one with it is a replay.
    if (opened === undefined || !session.box.admitNonce(nonce!)) throw new KpxcError("CANNOT_DECRYPT_MESSAGE")
    let inner: unknown
    try {
      inner = JSON.parse(Buffer.from(opened).toString("utf8"))
    } catch {
      throw new KpxcError("CANNOT_DECRYPT_MESSAGE")
    }
    if (!isObject(inner)) throw new KpxcError("CANNOT_DECRYPT_MESSAGE")
    // The encrypted part names its action: a message sealed for one action is not accepted as another.
    if (inner.action !== undefined && inner.action !== action) throw new KpxcError("INCORRECT_ACTION")
    return { action, session, inner, replyNonce: incrementNonce(nonce!), requestId }
  }

  private async dispatch(request: Request): Promise<Reply> {
    const { inner, session } = request
    const hash = this.backend.databaseHash()
    switch (request.action) {
      case "get-databasehash":
        return this.reply(request, { action: "hash", hash })
      case "associate":
        return this.reply(request, { hash, id: await this.associate(session, inner) })
      case "test-associate": {
        const id = text(inner.id)
        const key = text(inner.key)
        if (!id || !key || !this.backend.isAssociated(id, key)) throw new KpxcError("ASSOCIATION_FAILED")
        session.association = { id, key }
        return this.reply(request, { hash, id })
      }
      case "get-logins":
      case "get-logins-count": {
        this.requireAssociation(session)
        const url = text(inner.url)
        if (!url) throw new KpxcError("NO_URL_PROVIDED")
        const entries = this.backend.logins.find(url)
        if (entries === undefined) throw new KpxcError("NO_URL_PROVIDED")
        if (entries.length === 0) throw new KpxcError("NO_LOGINS_FOUND")
        const params = request.action === "get-logins" ? { count: entries.length, entries } : { count: entries.length }
        return this.reply(request, { ...params, hash, id: session.association!.id })
      }
      case "set-login":
        return this.reply(request, { count: null, entries: null, error: await this.setLogin(session, inner), hash })
      case "generate-password":
        return this.reply(request, { password: generate({ length: GENERATED_PASSWORD_CHARS }).value })
      case "get-totp": {
        this.requireAssociation(session)
        const totp = typeof inner.uuid === "string" ? this.backend.logins.totp(inner.uuid) : undefined
        if (totp === undefined) throw new KpxcError("NO_VALID_UUID_PROVIDED")
        return this.reply(request, { totp })
      }
      case "lock-database":
        this.backend.lock()
        return this.reply(request, {})
      case "get-database-groups":
        this.requireAssociation(session)
        return this.reply(request, { defaultGroup: LOGIN_GROUP, groups: { groups: [{ name: LOGIN_GROUP, uuid: hash.slice(0, 32), children: [] }] } })
      default:
        throw new KpxcError("INCORRECT_ACTION")
    }
  }

  private async associate(session: ClientSession, inner: Json): Promise<string> {
    const key = text(inner.key)
    // The request must carry this session's own key: proof it comes from the browser that exchanged keys.
    if (!key || key !== Buffer.from(session.box.clientPublicKey).toString("base64")) throw new KpxcError("ASSOCIATION_FAILED")
    const idKey = inner.idKey === undefined ? key : text(inner.idKey)
    if (!idKey || decodeBase64(idKey, BOX_KEY_BYTES) === undefined) throw new KpxcError("ASSOCIATION_FAILED")
    if (!this.backend.approvalOpen()) throw new KpxcError("ACTION_CANCELLED_OR_DENIED")
    const id = await this.backend.associate(idKey)
    session.association = { id, key: idKey }
    return id
  }

  private async setLogin(session: ClientSession, inner: Json): Promise<string> {
    this.requireAssociation(session)
    const url = text(inner.url)
    if (!url) throw new KpxcError("NO_URL_PROVIDED")
    const username = typeof inner.login === "string" ? inner.login : ""
    const password = text(inner.password)
    if (password === undefined || username.length > MAX_FIELD_CHARS) throw new KpxcError("ACTION_CANCELLED_OR_DENIED")
    const uuid = inner.uuid === undefined || inner.uuid === "" ? undefined : text(inner.uuid)
    const outcome = await this.backend.logins.save({ url, username, password, uuid })
    if (outcome === "refused") throw new KpxcError(uuid === undefined ? "NO_URL_PROVIDED" : "NO_VALID_UUID_PROVIDED")
    return "success"
  }

  /** An association proved in this session and still stored (a revoke takes effect at once). */
  private requireAssociation(session: ClientSession): void {
    const proved = session.association
    if (proved === undefined || !this.backend.isAssociated(proved.id, proved.key)) {
      session.association = undefined
      throw new KpxcError("ASSOCIATION_FAILED")
    }
  }

  private reply(request: Request, params: Json): Reply {
    const nonce = b64(request.replyNonce)
    const body = { version: COMPAT_VERSION, success: "true", nonce, ...params }
    const sealed = request.session.box.seal(Buffer.from(JSON.stringify(body), "utf8"), request.replyNonce)
    const reply: Reply = { action: request.action, message: b64(sealed), nonce }
    if (request.requestId !== undefined) reply.requestID = request.requestId
    return reply
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

/** A non-empty string field of bounded length, else undefined. */
function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_FIELD_CHARS ? value : undefined
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64")
}
