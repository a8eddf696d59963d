import { LanvaultError } from "../errors.js"
import { concatBytes, equalBytes, randomBytes, utf8 } from "../crypto/bytes.js"
import { Channel } from "./channel.js"
import { FRAME_ACCEPT } from "./channel-frames.js"
import { closeCodeOf, closeReasonOf, isCloseReason, type CloseReason } from "./close-reasons.js"
import type { FrameSocket } from "./frame-socket.js"
import type { AcceptDecision, HandshakeOptions, HandshakeResult } from "./handshake-session.js"
import { noiseSuite, TAG_BYTES } from "./noise-suite.js"
import { NOISE_IK, NoiseHandshake, type TransportKeys } from "./noise.js"

/** Prologue of a trusted-device handshake, protocol 2 (DESIGN §6, Noise §6). */
export const TRUSTED_PROLOGUE_V2 = "lanvault/2"
/** Default time for the whole handshake. */
const TRUSTED_HANDSHAKE_TIMEOUT_MS = 10_000
const ACCEPT_FRAME = Uint8Array.of(FRAME_ACCEPT)
/** First byte of the responder's message-2 payload. */
const VERDICT_ACCEPT = 1
const VERDICT_REFUSE = 2
/** What every stranger, wrong guess and failed proof is told: nothing more. */
const STRANGER: CloseReason = "unknown device"

/**
 * The trusted-link handshake of protocol 2 (issue 11 item 10), Noise IK:
 *
 *   1. I -> R  `e, es, s, ss` + initiator payload: only the holder of the
 *              responder's static key reads it, and it proves the initiator's
 *   2. R -> I  `e, ee, se` + [ACCEPT, responder payload] or [REFUSE, reason],
 *              readable only by that initiator. A message 1 that does not open
 *              (a stranger, a guess at the wrong device) gets a decoy of the same
 *              shape, so no one learns whom they reached
 *   3. I -> R  first transport message: the ACCEPT frame, if I accepts R
 *
 * After message 2 the responder closes every failure with "unknown device"
 * (and a silence with "handshake timeout"), whatever the cause, so a replayed
 * message 1 tells a stranger nothing either.
 */
export class TrustedHandshake {
  readonly #noise: NoiseHandshake
  readonly #initiator: boolean
  #keys: TransportKeys | undefined
  #timer: NodeJS.Timeout | undefined
  #stage: "message 1" | "message 2" | "accept" | "decoy" = "message 1"
  #remotePayload: Uint8Array = new Uint8Array(0)
  #refusedWith: CloseReason | undefined
  #settled = false

  constructor(
    private readonly socket: FrameSocket,
    private readonly options: HandshakeOptions,
    private readonly resolve: (result: HandshakeResult) => void,
    private readonly reject: (error: LanvaultError) => void,
  ) {
    this.#initiator = options.role === "initiator"
    if (this.#initiator && options.remoteStatic === undefined) throw failed("a trusted initiator must know the responder's static key")
    this.#noise = new NoiseHandshake({
      protocolName: NOISE_IK,
      initiator: this.#initiator,
      staticSecret: options.staticSecret,
      prologue: utf8(TRUSTED_PROLOGUE_V2),
      remoteStatic: this.#initiator ? options.remoteStatic : undefined,
    })
  }

  start(): void {
    this.#timer = setTimeout(() => this.#onTimeout(), this.options.timeoutMs ?? TRUSTED_HANDSHAKE_TIMEOUT_MS)
    this.socket.onMessage((bytes) => void this.#onFrame(bytes))
    this.socket.onClose((code) => this.#onSocketClose(code))
    if (!this.#initiator) return
    this.#stage = "message 2"
    try {
      this.socket.send(this.#noise.writeMessage(this.options.payload ?? new Uint8Array(0)))
    } catch (error) {
      this.#fail("internal error", asError(error))
    }
  }

  async #onFrame(bytes: Uint8Array): Promise<void> {
    if (this.#settled) return
    const stage = this.#stage
    this.#stage = "decoy" // a frame out of turn meets the decoy's answer
    if (stage === "message 1") return this.#onMessage1(bytes)
    if (stage === "message 2") return this.#onMessage2(bytes)
    if (stage === "accept") return this.#onAccept(bytes)
    this.#fail(STRANGER, this.#refusedWith === undefined ? stranger() : refused(this.#refusedWith))
  }

  /** Responder: who is it? A message that does not open gets the decoy. */
  async #onMessage1(bytes: Uint8Array): Promise<void> {
    let payload: Uint8Array
    try {
      payload = this.#noise.readMessage(bytes)
    } catch {
      return this.#sendDecoy()
    }
    this.#remotePayload = payload
    const decision = await this.#ask(payload)
    if (this.#settled) return
    const verdict = decision === "accept"
      ? concatBytes(Uint8Array.of(VERDICT_ACCEPT), this.options.payload ?? new Uint8Array(0))
      : concatBytes(Uint8Array.of(VERDICT_REFUSE), utf8(decision.refuse))
    try {
      this.socket.send(this.#noise.writeMessage(verdict))
      this.#keys = this.#noise.split()
    } catch (error) {
      return this.#fail("internal error", asError(error))
    }
    if (decision === "accept") this.#stage = "accept"
    else this.#refusedWith = decision.refuse
  }

  /** A message 2 of the shape a real one has: a fresh public key and random bytes. */
  #sendDecoy(): void {
    const suite = noiseSuite(NOISE_IK)
    const ephemeral = suite.publicKey(randomBytes(32))
    const length = 1 + (this.options.payload?.length ?? 0) + TAG_BYTES
    this.socket.send(concatBytes(ephemeral, randomBytes(length)))
  }

  /** Initiator: the responder's verdict, readable only if it is the device we meant. */
  async #onMessage2(bytes: Uint8Array): Promise<void> {
    let message: Uint8Array
    try {
      message = this.#noise.readMessage(bytes)
    } catch {
      const error = new LanvaultError("PEER_REFUSED", "the device at this address is not the one dialled", { data: { reason: STRANGER, notThisDevice: true } })
      return this.#fail(STRANGER, error)
    }
    if (message[0] === VERDICT_REFUSE) {
      const reason = new TextDecoder().decode(message.subarray(1))
      const shown: CloseReason = isCloseReason(reason) ? reason : "protocol error"
      // Closed with the reason it was given, so both ends log the same words.
      // `authenticated`: the verdict opened under keys only the dialled device holds.
      return this.#fail(shown, new LanvaultError("PEER_REFUSED", `the peer refused this device: ${shown}`, { data: { reason: shown, authenticated: true } }))
    }
    if (message[0] !== VERDICT_ACCEPT) return this.#fail("protocol error", failed("message 2 carried no verdict"))
    this.#remotePayload = message.subarray(1)
    const decision = await this.#ask(this.#remotePayload)
    if (this.#settled) return
    if (decision !== "accept") return this.#fail(decision.refuse, new LanvaultError("NOT_ALLOWED", `refused the peer: ${decision.refuse}`, { data: { reason: decision.refuse } }))
    this.#keys = this.#noise.split()
    this.socket.send(this.#keys.send.encrypt(ACCEPT_FRAME))
    this.#succeed()
  }

  /** Responder: the initiator accepted us too. Anything else is a stranger's frame. */
  #onAccept(bytes: Uint8Array): void {
    let plaintext: Uint8Array | undefined
    try {
      plaintext = (this.#keys as TransportKeys).receive.decrypt(bytes)
    } catch {
      plaintext = undefined
    }
    if (plaintext === undefined || !equalBytes(plaintext, ACCEPT_FRAME)) return this.#fail(STRANGER, stranger())
    this.#succeed()
  }

  async #ask(payload: Uint8Array): Promise<AcceptDecision> {
    try {
      const decision = await this.options.accept(this.#noise.remoteStatic as Uint8Array, payload)
      if (decision === "accept" || isCloseReason(decision.refuse)) return decision
    } catch {
      // fall through: an accept() that throws refuses
    }
    return { refuse: "internal error" }
  }

  #succeed(): void {
    this.#settle()
    this.resolve({
      channel: new Channel(this.socket, this.#keys as TransportKeys, this.options.channel),
      remoteStatic: this.#noise.remoteStatic as Uint8Array,
      remotePayload: this.#remotePayload,
      handshakeHash: this.#noise.handshakeHash,
      confirmationCode: undefined,
    })
  }

  /** The same words at every stage: a silent peer learns nothing from when or how it is dropped. */
  #onTimeout(): void {
    this.#fail("handshake timeout", new LanvaultError("TIMEOUT", "the handshake did not finish in time", { data: { reason: "handshake timeout" } }))
  }

  #onSocketClose(code: number): void {
    if (this.#settled) return
    this.#settle()
    if (this.#refusedWith !== undefined) return this.reject(refused(this.#refusedWith))
    const reason = closeReasonOf(code)
    if (reason === undefined) this.reject(failed(`the link closed during the handshake (code ${code})`, { code }))
    else this.reject(new LanvaultError("PEER_REFUSED", `the peer closed the link: ${reason}`, { data: { reason, code } }))
  }

  #fail(reason: CloseReason, error: LanvaultError): void {
    if (this.#settled) return
    this.#settle()
    this.#keys?.send.destroy()
    this.#keys?.receive.destroy()
    this.socket.close(closeCodeOf(reason), reason)
    this.reject(error.data?.reason === undefined ? new LanvaultError(error.code, error.message, { cause: error.cause, data: { ...error.data, reason } }) : error)
  }

  #settle(): void {
    this.#settled = true
    clearTimeout(this.#timer)
  }
}

function failed(message: string, data?: Record<string, unknown>): LanvaultError {
  return new LanvaultError("HANDSHAKE_FAILED", message, { data })
}

function stranger(): LanvaultError {
  return new LanvaultError("NOT_ALLOWED", "refused the peer: unknown device", { data: { reason: STRANGER } })
}

function refused(reason: CloseReason): LanvaultError {
  return new LanvaultError("NOT_ALLOWED", `refused the peer: ${reason}`, { data: { reason } })
}

function asError(error: unknown): LanvaultError {
  if (error instanceof LanvaultError) return error
  return failed(`handshake failed: ${error instanceof Error ? error.message : String(error)}`)
}
