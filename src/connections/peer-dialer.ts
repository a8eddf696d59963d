import { Backoff } from "../backoff.js"
import { LanvaultError } from "../errors.js"
import type { Logger } from "../log.js"
import type { ChannelLink } from "./channel-link.js"
import type { PeerSource } from "./peer-network.js"

const MIN_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 30_000
/** Each wait is 50 % to 150 % of the backoff. */
const BACKOFF_JITTER = 0.5
/** Refusals that will not change by retrying soon: wait the longest. */
const FINAL_REASONS = new Set(["unknown device", "revoked", "account was reset", "wrong account key"])

export type DialerState = "connecting" | "connected" | "waiting" | "refused" | "stopped"

export interface PeerDialerDeps {
  logger: Logger
  dial: (address: string) => Promise<ChannelLink>
  isLinked: (deviceId: string) => boolean
}

/**
 * Keeps one address dialled: connect, wait for the link to end, retry with
 * jittered exponential backoff (0.5 s doubling to 30 s, ±50 %), and skip a dial
 * while the device is already linked the other way.
 */
export class PeerDialer {
  state: DialerState = "waiting"
  deviceId: string | undefined
  lastError: string | undefined
  private stopped = false
  private readonly backoff = new Backoff({ firstMs: MIN_BACKOFF_MS, maxMs: MAX_BACKOFF_MS, jitter: BACKOFF_JITTER })
  private timer: NodeJS.Timeout | undefined
  private wake: (() => void) | undefined

  constructor(private readonly deps: PeerDialerDeps, readonly options: { address: string; how: PeerSource }) {}

  get address(): string {
    return this.options.address
  }

  get how(): PeerSource {
    return this.options.how
  }

  start(): void {
    void this.loop()
  }

  stop(): void {
    this.stopped = true
    this.state = "stopped"
    clearTimeout(this.timer)
    this.wake?.()
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (this.deviceId && this.deps.isLinked(this.deviceId)) {
        await this.sleep(MAX_BACKOFF_MS / 10)
        continue
      }
      this.state = "connecting"
      try {
        const link = await this.deps.dial(this.address)
        this.deviceId = link.remoteDeviceId
        this.lastError = undefined
        this.backoff.reset()
        this.state = "connected"
        await new Promise<void>((resolve) => link.onClose(() => resolve()))
      } catch (error) {
        this.onFailure(error)
      }
      if (this.stopped) break
      if (this.state === "connected") this.state = "waiting"
      await this.sleep(this.backoff.nextDelayMs())
    }
  }

  private onFailure(error: unknown): void {
    const reason = error instanceof LanvaultError ? (error.data?.reason as string | undefined) : undefined
    this.lastError = reason ?? (error instanceof Error ? error.message : String(error))
    if (reason && FINAL_REASONS.has(reason)) {
      this.state = "refused"
      this.backoff.toMax()
      this.deps.logger.error("peer refused this device", { address: this.address, reason })
    } else {
      this.state = "waiting"
      this.backoff.grow()
      this.deps.logger.debug("dial failed", { address: this.address, error: this.lastError })
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve
      this.timer = setTimeout(resolve, ms)
      this.timer.unref()
    })
  }
}
