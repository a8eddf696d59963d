import { LanvaultError, type ErrorCode } from "../errors.js"
import { equalBytes, utf8 } from "../crypto/bytes.js"
import { hkdf } from "../crypto/hkdf.js"
import { Channel, type ChannelOptions } from "./channel.js"
import { FRAME_ACCEPT } from "./channel-frames.js"
import { closeCodeOf, closeReasonOf, isCloseReason, type CloseReason } from "./close-reasons.js"
import type { FrameSocket } from "./frame-socket.js"
import { NOISE_XX, NOISE_XX_PSK3, NoiseHandshake, type TransportKeys } from "./noise.js"
import { TrustedHandshake } from "./trusted-handshake.js"

/** A handshake that has not finished by then is closed with "handshake timeout". */
export const HANDSHAKE_TIMEOUT_MS = 10_000
/** Prologue of a pairing handshake: binds protocol version and mode (DESIGN §6, Noise §6). */
export const PAIR_PROLOGUE = "lanvault/1 pair"
/** Prologue of a protocol-1 trusted-device handshake (Noise XX; kept for the vectors and tests of XX). */
export const TRUSTED_PROLOGUE = "lanvault/1"
const PSK_INFO = "lanvault psk v1"
const CODE_INFO = "lanvault pairing code v1"
const CODE_SOURCE_BYTES = 8
const CODE_DIGITS = 6
const ACCEPT_FRAME = Uint8Array.of(FRAME_ACCEPT)

/** "pair": XXpsk3 keyed by the account key; "trusted": IK between known devices (protocol 2); "trusted-xx": protocol 1's XX. */
export type HandshakeMode = "pair" | "trusted" | "trusted-xx"
/** The initiator dials; the responder accepted the connection. */
export type HandshakeRole = "initiator" | "responder"
/** The verdict on a peer: accept it, or close with a reason it can show. */
export type AcceptDecision = "accept" | { refuse: CloseReason }
/** Decides on the peer from its static key and its handshake payload. */
export type AcceptPeer = (remoteStatic: Uint8Array, remotePayload: Uint8Array) => AcceptDecision | Promise<AcceptDecision>

/** What {@link runHandshake} needs. */
export interface HandshakeOptions {
  role: HandshakeRole
  mode: HandshakeMode
  /** This device's X25519 static secret key. */
  staticSecret: Uint8Array
  /** The account key (pair mode only): the psk is derived from it. */
  accountKey?: Uint8Array
  /** Trusted mode, initiator: the static key of the device it means to reach. */
  remoteStatic?: Uint8Array
  /** Our application payload: in message 2 (responder) or 3 (initiator). Encrypted. */
  payload?: Uint8Array
  /**
   * Called once the peer's static key is known (initiator: after message 2,
   * responder: after message 3). In pair mode the initiator is called before
   * the peer has proved the account key: commit trust only once the returned
   * promise resolves.
   */
  accept: AcceptPeer
  /**
   * Pair mode: what to tell an initiator whose account key is wrong (default
   * "wrong account key"). A closed pairing window answers every key alike, so
   * a stranger cannot test keys against it.
   */
  wrongKeyReason?: () => CloseReason
  timeoutMs?: number
  channel?: ChannelOptions
}

/** A finished handshake: the link and what was learnt about the peer. */
export interface HandshakeResult {
  channel: Channel
  remoteStatic: Uint8Array
  remotePayload: Uint8Array
  /** Noise handshake hash: identical on both sides, unique to this link. */
  handshakeHash: Uint8Array
  /** Pair mode only: the 6-digit code both people compare. */
  confirmationCode: string | undefined
}

/**
 * Runs a lanvault handshake over a socket. Trusted mode is Noise IK
 * ({@link TrustedHandshake}); pair mode (and protocol 1's XX) run (DESIGN §6):
 *
 *   1. I -> R  Noise message 1 (`e`), empty payload
 *   2. R -> I  Noise message 2 (`e, ee, s, es`), responder payload
 *   3. I -> R  Noise message 3 (`s, se` [, `psk`]), initiator payload,
 *              sent only if the initiator accepts the responder
 *   4. R -> I  first transport message: an ACCEPT frame, sent only if the
 *              responder accepts the initiator (it also proves the psk)
 *
 * Any refusal or failure closes the socket with a close reason. Rejects with
 * `LanvaultError`: PEER_REFUSED (the peer closed; `data.reason`), NOT_ALLOWED
 * (we refused the peer), TIMEOUT, or HANDSHAKE_FAILED (malformed or
 * undecryptable messages; `data.reason` is what we told the peer).
 */
export function runHandshake(socket: FrameSocket, options: HandshakeOptions): Promise<HandshakeResult> {
  return new Promise((resolve, reject) => {
    if (options.mode !== "trusted") return new HandshakeSession(socket, options, resolve, reject).start()
    try {
      new TrustedHandshake(socket, options, resolve, reject).start()
    } catch (error) {
      socket.close(closeCodeOf("internal error"), "internal error")
      reject(asLanvaultError(error, "HANDSHAKE_FAILED"))
    }
  })
}

/** HKDF(AK, "lanvault psk v1"): the XXpsk3 pre-shared key for pairing. */
export function pairingPsk(accountKey: Uint8Array): Uint8Array {
  return hkdf(accountKey, PSK_INFO, 32)
}

/** The 6-digit pairing confirmation code of a handshake hash, zero-padded. */
export function confirmationCode(handshakeHash: Uint8Array): string {
  const bytes = hkdf(handshakeHash, CODE_INFO, CODE_SOURCE_BYTES)
  const value = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0)
  // 64 bits mod 10^6: the bias is below 2^-44, invisible to a person comparing.
  return (value % 10n ** BigInt(CODE_DIGITS)).toString().padStart(CODE_DIGITS, "0")
}

class HandshakeSession {
  readonly #noise: NoiseHandshake | undefined
  readonly #initiator: boolean
  #keys: TransportKeys | undefined
  #remotePayload: Uint8Array = new Uint8Array(0)
  #timer: NodeJS.Timeout | undefined
  /** What the next frame from the peer must be. */
  #stage: "message 1" | "message 2" | "message 3" | "accept"
  #busy = false
  #settled = false

  constructor(
    private readonly socket: FrameSocket,
    private readonly options: HandshakeOptions,
    private readonly resolve: (result: HandshakeResult) => void,
    private readonly reject: (error: LanvaultError) => void,
  ) {
    this.#initiator = options.role === "initiator"
    this.#stage = this.#initiator ? "message 2" : "message 1"
    try {
      this.#noise = createNoise(options)
    } catch (error) {
      this.#fail("internal error", asLanvaultError(error, "HANDSHAKE_FAILED"))
    }
  }

  start(): void {
    if (this.#settled) return
    this.#timer = setTimeout(() => this.#onTimeout(), this.options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS)
    this.socket.onMessage((bytes) => this.#onFrame(bytes))
    this.socket.onClose((code) => this.#onSocketClose(code))
    if (this.#initiator) this.#write(new Uint8Array(0))
  }

  #onFrame(bytes: Uint8Array): void {
    if (this.#settled) return
    if (this.#busy) return this.#fail("protocol error", failed("the peer sent out of turn"))
    if (this.#stage === "accept") return this.#onAcceptFrame(bytes)
    let payload: Uint8Array
    try {
      payload = (this.#noise as NoiseHandshake).readMessage(bytes)
    } catch (error) {
      return this.#fail(this.#readFailureReason(error), asLanvaultError(error, "HANDSHAKE_FAILED"))
    }
    if (this.#stage === "message 1") {
      // lanvault sends nothing in message 1: its payload would be unauthenticated.
      if (payload.length > 0) return this.#fail("protocol error", failed("message 1 must carry no payload"))
      this.#stage = "message 3"
      return this.#write(this.options.payload ?? new Uint8Array(0))
    }
    this.#remotePayload = payload
    void this.#decide()
  }

  #write(payload: Uint8Array): void {
    try {
      this.socket.send((this.#noise as NoiseHandshake).writeMessage(payload))
    } catch (error) {
      this.#fail("internal error", asLanvaultError(error, "HANDSHAKE_FAILED"))
    }
  }

  /** The peer's static key is known: ask the caller, then go on or refuse. */
  async #decide(): Promise<void> {
    const noise = this.#noise as NoiseHandshake
    const remoteStatic = noise.remoteStatic as Uint8Array
    this.#busy = true
    let decision: AcceptDecision
    try {
      decision = await this.options.accept(remoteStatic, this.#remotePayload)
    } catch (error) {
      return this.#fail("internal error", asLanvaultError(error, "HANDSHAKE_FAILED"))
    }
    if (this.#settled) return
    this.#busy = false
    if (decision !== "accept") {
      const reason = decision?.refuse
      if (!isCloseReason(reason)) return this.#fail("internal error", failed(`accept() returned no valid verdict: ${String(reason)}`))
      return this.#fail(reason, new LanvaultError("NOT_ALLOWED", `refused the peer: ${reason}`, { data: { reason } }))
    }
    if (this.#initiator) {
      this.#write(this.options.payload ?? new Uint8Array(0))
      if (!this.#settled) this.#keys = noise.split()
      this.#stage = "accept"
      return
    }
    this.#keys = noise.split()
    this.socket.send(this.#keys.send.encrypt(ACCEPT_FRAME))
    this.#succeed()
  }

  /** Initiator: the responder's first transport message must be ACCEPT. */
  #onAcceptFrame(bytes: Uint8Array): void {
    let plaintext: Uint8Array
    try {
      plaintext = (this.#keys as TransportKeys).receive.decrypt(bytes)
    } catch (cause) {
      return this.#fail("protocol error", new LanvaultError("HANDSHAKE_FAILED", "the ACCEPT frame did not decrypt", { cause }))
    }
    if (!equalBytes(plaintext, ACCEPT_FRAME)) return this.#fail("protocol error", failed("expected the ACCEPT frame"))
    this.#succeed()
  }

  #succeed(): void {
    const noise = this.#noise as NoiseHandshake
    this.#settle()
    const handshakeHash = noise.handshakeHash
    this.resolve({
      channel: new Channel(this.socket, this.#keys as TransportKeys, this.options.channel),
      remoteStatic: noise.remoteStatic as Uint8Array,
      remotePayload: this.#remotePayload,
      handshakeHash,
      confirmationCode: this.options.mode === "pair" ? confirmationCode(handshakeHash) : undefined,
    })
  }

  /** A failed read of message 3 in pair mode means the initiator used another account key. */
  #readFailureReason(error: unknown): CloseReason {
    const decryptFailed = error instanceof LanvaultError && error.data?.kind === "decrypt"
    const pskMessage = this.#stage === "message 3" && this.options.mode === "pair"
    if (!(decryptFailed && pskMessage)) return "protocol error"
    return this.options.wrongKeyReason?.() ?? "wrong account key"
  }

  #onTimeout(): void {
    const reason = "handshake timeout"
    this.#fail(reason, new LanvaultError("TIMEOUT", "the handshake did not finish in time", { data: { reason } }))
  }

  #onSocketClose(code: number): void {
    if (this.#settled) return
    const reason = closeReasonOf(code)
    this.#settle()
    if (reason === undefined) {
      this.reject(failed(`the link closed during the handshake (code ${code})`, { code }))
    } else {
      this.reject(new LanvaultError("PEER_REFUSED", `the peer closed the link: ${reason}`, { data: { reason, code } }))
    }
  }

  #fail(reason: CloseReason, error: LanvaultError): void {
    if (this.#settled) return
    this.#settle()
    this.#keys?.send.destroy()
    this.#keys?.receive.destroy()
    this.socket.close(closeCodeOf(reason), reason)
    this.reject(error.data?.reason === undefined ? withReason(error, reason) : error)
  }

  #settle(): void {
    this.#settled = true
    clearTimeout(this.#timer)
  }
}

function createNoise(options: HandshakeOptions): NoiseHandshake {
  const pair = options.mode === "pair"
  if (pair && !(options.accountKey instanceof Uint8Array && options.accountKey.length > 0)) {
    throw failed("pair mode needs the account key")
  }
  return new NoiseHandshake({
    protocolName: pair ? NOISE_XX_PSK3 : NOISE_XX,
    initiator: options.role === "initiator",
    staticSecret: options.staticSecret,
    prologue: utf8(pair ? PAIR_PROLOGUE : TRUSTED_PROLOGUE),
    psk: pair ? pairingPsk(options.accountKey as Uint8Array) : undefined,
  })
}

function failed(message: string, data?: Record<string, unknown>): LanvaultError {
  return new LanvaultError("HANDSHAKE_FAILED", message, { data })
}

function asLanvaultError(error: unknown, code: ErrorCode): LanvaultError {
  if (error instanceof LanvaultError) return error
  return new LanvaultError(code, `handshake failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
}

function withReason(error: LanvaultError, reason: CloseReason): LanvaultError {
  return new LanvaultError(error.code, error.message, { cause: error.cause, data: { ...error.data, reason } })
}
