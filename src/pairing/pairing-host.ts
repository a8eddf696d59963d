import { readAccountKey, META } from "../account/index.js"
import { LanvaultError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { LogThrottle } from "../log-throttle.js"
import type { EventParams } from "../api/protocol.js"
import { signAdd, type VaultStore } from "../store/index.js"
import { wipe, type TrustKeyPair } from "../crypto/index.js"
import type { Replicator } from "../sync/index.js"
import { runHandshake, type AcceptedConnection, type Channel } from "../transport/index.js"
import { decodeJoinRequest, encodeWelcome, type JoinRequest } from "./pairing-messages.js"

const DEFAULT_WINDOW_SECONDS = 120
const MAX_WINDOW_SECONDS = 3_600
const JOINER_ACK_TIMEOUT_MS = 10_000

export interface PairingHostDeps {
  store: VaultStore
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
 * account key in a Noise XXpsk3 handshake is added to the trust list and handed
 * the account id, keyset and trust list. Closed by default.
 */
export class PairingHost {
  private until = 0
  private timer: NodeJS.Timeout | undefined
  /** Refused attempts are logged once per address and reason a minute. */
  private readonly refusals: LogThrottle

  constructor(private readonly deps: PairingHostDeps, private readonly now: () => number = Date.now) {
    this.refusals = new LogThrottle(deps.logger)
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
          return "accept"
        },
      })
      await this.welcome(result.channel, request!, result.remoteStatic, result.confirmationCode ?? "")
    } catch (error) {
      const reason = String((error as { data?: { reason?: unknown } }).data?.reason ?? (error as { code?: unknown }).code)
      this.refusals.warn(`${connection.remoteAddress} ${reason}`, "pairing attempt refused", { address: connection.remoteAddress, ...errorFields(error) })
    }
  }

  private async welcome(channel: Channel, request: JoinRequest, dhPublic: Uint8Array, code: string): Promise<void> {
    const { store, logger } = this.deps
    const self = store.getIdentity()!
    const keyset = store.getKeyset()!
    const trustKey = this.deps.trustKey()
    const added = { deviceId: request.deviceId, name: request.name, signPublic: request.signPublic, dhPublic, addedAt: Date.now() }
    const accountId = new Uint8Array(Buffer.from(store.getMeta(META.accountId)!, "hex"))
    store.putTrust({ ...added, addSig: signAdd(trustKey.secret, accountId, added) })
    wipe(trustKey.secret)
    const selfTrust = store.getTrust(self.deviceId)
    channel.send(encodeWelcome({
      accountId: store.getMeta(META.accountId)!,
      generation: Number(store.getMeta(META.generation) ?? 1),
      bucketCount: Number(store.getMeta(META.bucketCount) ?? 64),
      keysetVersion: keyset.version,
      keyset: keyset.blob,
      trust: store.trustList().map(({ lastSeenAt: _seen, ...entry }) => entry),
      host: { deviceId: self.deviceId, name: selfTrust?.name ?? "" },
      ...(store.getMeta(META.trustPublicKey) ? { trustPublicKey: store.getMeta(META.trustPublicKey) } : {}),
    }))
    await waitForAck(channel)
    channel.close("normal closure")
    logger.info("device paired", { deviceId: request.deviceId, name: request.name })
    this.deps.replicator.publishTrust()
    this.deps.publish({ type: "device.paired", deviceId: request.deviceId, name: request.name, code })
  }
}

/** The joiner answers once it has stored the welcome; without that, pairing still stands (it may retry). */
function waitForAck(channel: Channel): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, JOINER_ACK_TIMEOUT_MS)
    channel.onMessage(() => {
      clearTimeout(timer)
      resolve()
    })
    channel.onClose(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
