import { readAccountKey, META, type AccountContext } from "../account/index.js"
import { LanvaultError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { LogThrottle } from "../log-throttle.js"
import type { EventParams } from "../api/protocol.js"
import { signAdd } from "../store/index.js"
import { opensCommitment, pairingCode, PAIRING_NONCE_BYTES, randomBytes, wipe, type TrustKeyPair } from "../crypto/index.js"
import type { Replicator } from "../sync/index.js"
import { runHandshake, type AcceptedConnection } from "../transport/index.js"
import { CONFIRM_TIMEOUT_MS, PairingConfirmation, type PairingVerdict, type PendingPairing } from "./pairing-confirmation.js"
import { PairingLink } from "./pairing-link.js"
import type { PairingStore } from "./ports.js"
import { decodeJoinRequest, decodeStep, encodeStep, encodeWelcome, type JoinRequest } from "./pairing-messages.js"

const DEFAULT_WINDOW_SECONDS = 120
const MAX_WINDOW_SECONDS = 3_600
const JOINER_ACK_TIMEOUT_MS = 10_000
/** The joiner opens its commitment at once: it only waits for the host's nonce. */
const REVEAL_TIMEOUT_MS = 10_000

export interface PairingHostDeps {
  store: PairingStore
  /** The account a new device joins (read once): its id signs the addition and goes in the welcome. */
  account: AccountContext
  home: string
  logger: Logger
  replicator: Replicator
  publish: (event: EventParams) => void
  /** The account's trust key pair; throws LOCKED when the vault is locked (no pairing then). */
  trustKey: () => TrustKeyPair
  /** Whether the vault is unlocked now. */
  unlocked: () => boolean
}

/**
 * This device's pairing window (DESIGN §6): while open, a device that proves the
 * account key in a Noise XXpsk3 handshake gets to the code check; once a person
 * here confirms that both screens show the same code (`pairing.confirm`), it is
 * added to the trust list and handed the account id, keyset and trust list.
 * Before that, nothing secret leaves this device. Closed by default.
 */
export class PairingHost {
  private until = 0
  private timer: NodeJS.Timeout | undefined
  private readonly confirmation: PairingConfirmation
  /** Refused attempts are logged once per address and reason a minute. */
  private readonly refusals: LogThrottle

  constructor(private readonly deps: PairingHostDeps, private readonly now: () => number = Date.now) {
    this.refusals = new LogThrottle(deps.logger)
    this.confirmation = new PairingConfirmation(now)
  }

  /** The new device whose code waits for a person's answer, if any. */
  get pending(): PendingPairing | undefined {
    return this.confirmation.pending
  }

  /** A person's answer to the code on screen (`pairing.confirm`); accepting needs that code. */
  confirm(accept: boolean, code?: string): { accepted: boolean } {
    return this.confirmation.confirm(accept, code)
  }

  get isOpen(): boolean {
    return this.now() < this.until
  }

  get openUntil(): number | undefined {
    return this.isOpen ? this.until : undefined
  }

  open(seconds = DEFAULT_WINDOW_SECONDS): number {
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_WINDOW_SECONDS) {
      throw new LanvaultError("INVALID_PARAMS", `the pairing window lasts 1 to ${MAX_WINDOW_SECONDS} seconds`)
    }
    this.until = this.now() + seconds * 1000
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.close(), seconds * 1000)
    this.timer.unref()
    this.deps.logger.info("pairing window open", { seconds })
    return this.until
  }

  close(): void {
    if (this.until === 0) return
    this.until = 0
    clearTimeout(this.timer)
    this.deps.logger.info("pairing window closed")
  }

  /** Runs the responder side of a pairing handshake on an admitted connection. */
  async handle(connection: AcceptedConnection): Promise<void> {
    const { store } = this.deps
    const identity = store.getIdentity()
    if (!identity) return connection.socket.close(4013, "internal error")
    let request: JoinRequest | undefined
    try {
      const result = await runHandshake(connection.socket, {
        role: "responder",
        mode: "pair",
        staticSecret: identity.dhSecret,
        accountKey: readAccountKey(this.deps.home),
        // No key oracle: while closed, a wrong key hears what the right one hears.
        wrongKeyReason: () => (this.isOpen ? "wrong account key" : "pairing window closed"),
        accept: (_remoteStatic, payload) => {
          // A locked vault has no trust key to sign the new device in with: its window is as good as closed.
          if (!this.isOpen || !this.deps.unlocked()) return { refuse: "pairing window closed" }
          try {
            request = decodeJoinRequest(payload)
          } catch {
            return { refuse: "protocol error" }
          }
          // A joining device makes a fresh id: one that is already known is an impostor (or a replay).
          if (request.deviceId === identity.deviceId || store.getTrust(request.deviceId) !== undefined) return { refuse: "protocol error" }
          // Without a commitment the joiner expects the account before any code check: refused, never trusted blindly.
          if (request.commit === undefined) return { refuse: "older protocol version" }
          if (this.confirmation.pending !== undefined) return { refuse: "pairing busy" }
          return "accept"
        },
      })
      await this.confirmThenWelcome(new PairingLink(result.channel), request!, result.remoteStatic, result.handshakeHash)
    } catch (error) {
      const reason = String((error as { data?: { reason?: unknown } }).data?.reason ?? (error as { code?: unknown }).code)
      this.refusals.warn(`${connection.remoteAddress} ${reason}`, "pairing attempt refused", { address: connection.remoteAddress, ...errorFields(error) })
    }
  }

  /**
   * The code check (crypto/pairing-code.ts): send our nonce, take the joiner's
   * opening of its commitment, show the code, and wait for a person's answer.
   */
  private async confirmThenWelcome(link: PairingLink, request: JoinRequest, dhPublic: Uint8Array, handshakeHash: Uint8Array): Promise<void> {
    const hostNonce = randomBytes(PAIRING_NONCE_BYTES)
    link.send(encodeStep({ type: "nonce", nonce: hostNonce, hostName: this.deps.store.getTrust(this.deps.account.deviceId)?.name ?? "" }))
    const reveal = decodeStep(await link.next(REVEAL_TIMEOUT_MS, "the opening of its commitment"), "reveal")
    if (!opensCommitment(request.commit!, reveal.nonce)) {
      link.channel.close("protocol error")
      throw new LanvaultError("PROTOCOL_ERROR", "the new device's nonce does not match its commitment", { data: { reason: "protocol error" } })
    }
    const code = pairingCode(handshakeHash, reveal.nonce, hostNonce)
    if (this.confirmation.pending !== undefined) return link.channel.close("pairing busy")
    const who = { deviceId: request.deviceId, name: request.name }
    const verdict = this.confirmation.wait({ code, ...who }, CONFIRM_TIMEOUT_MS, link.whenClosed())
    this.deps.publish({ type: "pairing.code", code, ...who, until: this.confirmation.pending!.until })
    this.deps.logger.info("pairing code shown, waiting for confirmation", who)
    const answer = await verdict
    if (answer === "accept" && this.deps.unlocked()) return this.welcome(link, request, dhPublic, code)
    this.decline(link, who, answer)
  }

  /** Nothing secret was sent: tell the joiner (unless it left) and whoever watches here. */
  private decline(link: PairingLink, who: { deviceId: string; name: string }, answer: PairingVerdict): void {
    const reason = answer === "accept" ? "locked" : answer
    if (reason !== "closed") {
      link.send(encodeStep({ type: "declined", reason }))
      link.channel.close("pairing not confirmed")
    }
    // A "no" may be someone in the middle: the window closes, a person opens it again.
    if (reason === "declined") this.close()
    this.deps.logger.warn("pairing not confirmed: nothing was sent to the new device", { ...who, reason })
    this.deps.publish({ type: "pairing.declined", ...who, reason })
  }

  private async welcome(link: PairingLink, request: JoinRequest, dhPublic: Uint8Array, code: string): Promise<void> {
    const { store, logger, account } = this.deps
    const keyset = store.getKeyset()!
    const trustKey = this.deps.trustKey()
    const added = { deviceId: request.deviceId, name: request.name, signPublic: request.signPublic, dhPublic, addedAt: Date.now() }
    store.putTrust({ ...added, addSig: signAdd(trustKey.secret, account.accountIdBytes, added) })
    wipe(trustKey.secret)
    const selfTrust = store.getTrust(account.deviceId)
    link.send(encodeWelcome({
      accountId: account.accountId,
      generation: account.generation,
      bucketCount: Number(store.getMeta(META.bucketCount) ?? 64),
      keysetVersion: keyset.version,
      keyset: keyset.blob,
      trust: store.trustList().map(({ lastSeenAt: _seen, ...entry }) => entry),
      host: { deviceId: account.deviceId, name: selfTrust?.name ?? "" },
      ...(store.getMeta(META.trustPublicKey) ? { trustPublicKey: store.getMeta(META.trustPublicKey) } : {}),
    }))
    // The joiner answers once it has stored the welcome; without that, pairing still stands (it may retry).
    await link.next(JOINER_ACK_TIMEOUT_MS, "its acknowledgement").catch(() => undefined)
    link.channel.close("normal closure")
    logger.info("device paired", { deviceId: request.deviceId, name: request.name })
    this.deps.replicator.publishTrust()
    this.deps.publish({ type: "device.paired", deviceId: request.deviceId, name: request.name, code })
  }
}
