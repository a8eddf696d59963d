import { LanvaultError } from "../errors.js"
import { concatBytes, randomBytes, wipe } from "../crypto/bytes.js"
import type { CipherState } from "./cipher-state.js"
import { DH_BYTES, NOISE_MAX_MESSAGE_BYTES, TAG_BYTES, noiseSuite, type NoiseSuite } from "./noise-suite.js"
import { SymmetricState } from "./symmetric-state.js"

/** lanvault's trusted-device suite (DESIGN §6). */
export const NOISE_XX = "Noise_XX_25519_ChaChaPoly_SHA256"
/** lanvault's pairing suite (DESIGN §6). */
export const NOISE_XX_PSK3 = "Noise_XXpsk3_25519_ChaChaPoly_SHA256"
/** lanvault's trusted-device suite from protocol 2 on: the initiator proves itself before the responder says anything (issue 11 item 10). */
export const NOISE_IK = "Noise_IK_25519_ChaChaPoly_SHA256"
/** Noise spec §9.1: a pre-shared key is 32 bytes. */
export const PSK_BYTES = 32
const SECRET_KEY_BYTES = 32

type Token = "e" | "s" | "ee" | "es" | "se" | "ss" | "psk"

// Noise spec §7.5 (XX), §9.4 (psk3 appends "psk" to the third message) and §7.5 IK.
const PATTERNS: Record<string, Token[][]> = {
  XX: [["e"], ["e", "ee", "s", "es"], ["s", "se"]],
  XXpsk3: [["e"], ["e", "ee", "s", "es"], ["s", "se", "psk"]],
  IK: [["e", "es", "s", "ss"], ["e", "ee", "se"]],
}
/** Patterns whose pre-message is `<- s`: the initiator knows the responder's static key (§7.1). */
const RESPONDER_STATIC_KNOWN = new Set(["IK"])

/** What a handshake needs: role, suite, keys and the prologue both sides must share. */
export interface NoiseHandshakeOptions {
  /** `Noise_XX…` or `Noise_XXpsk3…` with 25519; see {@link noiseSuite}. */
  protocolName: string
  initiator: boolean
  /** This device's X25519 static secret key (32 bytes). */
  staticSecret: Uint8Array
  prologue?: Uint8Array
  /** Required for psk patterns: 32 bytes. */
  psk?: Uint8Array
  /** IK initiator: the responder's static public key, known beforehand (pre-message `<- s`). */
  remoteStatic?: Uint8Array
  /** A fixed ephemeral secret: only for known-answer tests, never in production. */
  ephemeralSecret?: Uint8Array
}

/** The two transport CipherStates of one side after `split()`. */
export interface TransportKeys {
  send: CipherState
  receive: CipherState
}

/**
 * A Noise HandshakeState (spec rev. 34 §5.3) for XX, XXpsk3 and IK: a pure state
 * machine over bytes. Call `writeMessage`/`readMessage` in turn, then `split()`.
 * Every failure throws `LanvaultError("HANDSHAKE_FAILED")` (with `data.kind`
 * "decrypt", "malformed" or "state") and leaves the handshake unusable.
 */
export class NoiseHandshake {
  readonly initiator: boolean
  readonly localStatic: Uint8Array
  readonly #suite: NoiseSuite
  readonly #symmetric: SymmetricState
  readonly #pattern: Token[][]
  readonly #staticSecret: Uint8Array
  readonly #psk: Uint8Array | undefined
  #ephemeralSecret: Uint8Array | undefined
  #ephemeralPublic: Uint8Array | undefined
  #remoteEphemeral: Uint8Array | undefined
  #remoteStatic: Uint8Array | undefined
  #step = 0
  #failed = false
  #split = false

  /** Initialize(...) of §5.3: protocol name, prologue, then no pre-messages for XX. */
  constructor(options: NoiseHandshakeOptions) {
    this.#suite = noiseSuite(options.protocolName)
    this.#pattern = PATTERNS[this.#suite.pattern]
    this.initiator = options.initiator
    checkKey(options.staticSecret, "static secret key")
    this.#staticSecret = options.staticSecret.slice()
    this.localStatic = this.#suite.publicKey(this.#staticSecret)
    this.#psk = this.#checkPsk(options.psk)
    if (options.ephemeralSecret !== undefined) {
      checkKey(options.ephemeralSecret, "ephemeral secret key")
      this.#ephemeralSecret = options.ephemeralSecret.slice()
    }
    this.#symmetric = new SymmetricState(this.#suite)
    this.#symmetric.mixHash(options.prologue ?? new Uint8Array(0))
    if (RESPONDER_STATIC_KNOWN.has(this.#suite.pattern)) this.#symmetric.mixHash(this.#preMessage(options.remoteStatic))
    else if (options.remoteStatic !== undefined) throw state("this pattern takes no known remote static key")
  }

  /** §5.3 Initialize(): the responder's static public key, hashed by both sides. */
  #preMessage(remoteStatic: Uint8Array | undefined): Uint8Array {
    if (!this.initiator) return this.localStatic
    if (!(remoteStatic instanceof Uint8Array) || remoteStatic.length !== DH_BYTES) throw state(`the responder's static key must be ${DH_BYTES} bytes`)
    this.#remoteStatic = remoteStatic.slice()
    return this.#remoteStatic
  }

  /** Whether every handshake message has been written or read. */
  get isFinished(): boolean {
    return this.#step >= this.#pattern.length
  }

  /** Whether the next call should be `writeMessage` (else `readMessage`). */
  get isMyTurn(): boolean {
    return !this.isFinished && (this.#step % 2 === 0) === this.initiator
  }

  /** GetHandshakeHash() (§5.2): binds the whole transcript; use for channel binding. */
  get handshakeHash(): Uint8Array {
    return this.#symmetric.handshakeHash
  }

  /** The peer's static public key, once its `s` token has been read. */
  get remoteStatic(): Uint8Array | undefined {
    return this.#remoteStatic?.slice()
  }

  /** WriteMessage(payload, message_buffer) of §5.3; returns the message. */
  writeMessage(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
    return this.#guard(() => {
      this.#expect(true)
      if (!(payload instanceof Uint8Array)) throw malformed("payload must be bytes")
      const parts: Uint8Array[] = []
      for (const token of this.#pattern[this.#step]) parts.push(this.#writeToken(token))
      parts.push(this.#symmetric.encryptAndHash(payload))
      const message = concatBytes(...parts)
      if (message.length > NOISE_MAX_MESSAGE_BYTES) throw malformed("handshake message longer than 65,535 bytes")
      this.#step += 1
      return message
    })
  }

  /** ReadMessage(message, payload_buffer) of §5.3; returns the payload. */
  readMessage(message: Uint8Array): Uint8Array {
    return this.#guard(() => {
      this.#expect(false)
      if (!(message instanceof Uint8Array)) throw malformed("message must be bytes")
      if (message.length > NOISE_MAX_MESSAGE_BYTES) throw malformed("handshake message longer than 65,535 bytes")
      let offset = 0
      for (const token of this.#pattern[this.#step]) offset = this.#readToken(token, message, offset)
      const payload = this.#symmetric.decryptAndHash(message.subarray(offset))
      this.#step += 1
      return payload
    })
  }

  /** Split() of §5.2/§5.3, oriented for this side: `send` and `receive`. Once only. */
  split(): TransportKeys {
    return this.#guard(() => {
      if (!this.isFinished || this.#split) throw state("split() needs a finished handshake, once")
      this.#split = true
      const [initiatorToResponder, responderToInitiator] = this.#symmetric.split()
      wipe(this.#staticSecret, this.#ephemeralSecret)
      return this.initiator
        ? { send: initiatorToResponder, receive: responderToInitiator }
        : { send: responderToInitiator, receive: initiatorToResponder }
    })
  }

  #writeToken(token: Token): Uint8Array {
    switch (token) {
      case "e": {
        this.#ephemeralSecret ??= randomBytes(SECRET_KEY_BYTES)
        this.#ephemeralPublic = this.#suite.publicKey(this.#ephemeralSecret)
        this.#mixEphemeral(this.#ephemeralPublic)
        return this.#ephemeralPublic
      }
      case "s":
        return this.#symmetric.encryptAndHash(this.localStatic)
      default:
        this.#mixToken(token)
        return new Uint8Array(0)
    }
  }

  #readToken(token: Token, message: Uint8Array, offset: number): number {
    switch (token) {
      case "e": {
        this.#remoteEphemeral = take(message, offset, DH_BYTES)
        this.#mixEphemeral(this.#remoteEphemeral)
        return offset + DH_BYTES
      }
      case "s": {
        const length = DH_BYTES + (this.#symmetric.cipher.hasKey() ? TAG_BYTES : 0)
        this.#remoteStatic = this.#symmetric.decryptAndHash(take(message, offset, length))
        return offset + length
      }
      default:
        this.#mixToken(token)
        return offset
    }
  }

  /** §5.3 "e" token, plus §9.2: in psk handshakes `e` also calls MixKey. */
  #mixEphemeral(publicKey: Uint8Array): void {
    this.#symmetric.mixHash(publicKey)
    if (this.#psk !== undefined) this.#symmetric.mixKey(publicKey)
  }

  /** §5.3 "ee", "es", "se", "ss" tokens (DH results into MixKey) and §9.2 "psk". */
  #mixToken(token: Token): void {
    const symmetric = this.#symmetric
    if (token === "psk") return symmetric.mixKeyAndHash(this.#psk as Uint8Array)
    // The first letter is the initiator's key, the second the responder's: e = ephemeral, s = static.
    const [initiatorKey, responderKey] = [token[0], token[1]]
    const localEphemeral = (this.initiator ? initiatorKey : responderKey) === "e"
    const remoteEphemeral = (this.initiator ? responderKey : initiatorKey) === "e"
    const secret = localEphemeral ? this.#ephemeralSecret : this.#staticSecret
    const publicKey = remoteEphemeral ? this.#remoteEphemeral : this.#remoteStatic
    if (secret === undefined || publicKey === undefined) throw state(`token ${token} before its keys`)
    const shared = this.#suite.dh(secret, publicKey)
    symmetric.mixKey(shared)
    wipe(shared)
  }

  #checkPsk(psk: Uint8Array | undefined): Uint8Array | undefined {
    const needsPsk = this.#pattern.some((message) => message.includes("psk"))
    if (!needsPsk) {
      if (psk !== undefined) throw state("this pattern takes no psk")
      return undefined
    }
    if (!(psk instanceof Uint8Array) || psk.length !== PSK_BYTES) throw state(`a psk must be ${PSK_BYTES} bytes`)
    return psk.slice()
  }

  #expect(writing: boolean): void {
    if (this.#failed) throw state("this handshake already failed")
    if (this.isFinished) throw state("the handshake is finished")
    if (this.isMyTurn !== writing) throw state(writing ? "it is the peer's turn to write" : "it is our turn to write")
  }

  #guard<T>(run: () => T): T {
    try {
      return run()
    } catch (cause) {
      this.#failed = true
      throw asHandshakeError(cause)
    }
  }
}

function take(message: Uint8Array, offset: number, length: number): Uint8Array {
  if (message.length < offset + length) throw malformed("handshake message too short")
  return message.slice(offset, offset + length)
}

function checkKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== SECRET_KEY_BYTES) throw state(`${what} must be ${SECRET_KEY_BYTES} bytes`)
}

function malformed(message: string): LanvaultError {
  return new LanvaultError("HANDSHAKE_FAILED", message, { data: { kind: "malformed" } })
}

function state(message: string): LanvaultError {
  return new LanvaultError("HANDSHAKE_FAILED", message, { data: { kind: "state" } })
}

function asHandshakeError(cause: unknown): LanvaultError {
  if (cause instanceof LanvaultError && cause.code === "HANDSHAKE_FAILED") return cause
  const kind = cause instanceof LanvaultError ? (cause.data?.kind ?? "malformed") : "malformed"
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new LanvaultError("HANDSHAKE_FAILED", `Noise handshake failed: ${detail}`, { cause, data: { kind } })
}
