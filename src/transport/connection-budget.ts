import type { CloseReason } from "./close-reasons.js"

/** Options of a {@link ConnectionBudget}; every limit counts sockets open at once. */
export interface ConnectionBudgetOptions {
  /** WebSocket links (handshaking or linked) across all addresses. */
  maxConnections: number
  /** Of those, links not (yet) proved to be a trusted device; the rest is kept for trusted ones. */
  maxStrangers: number
  /** Unproved links from one address. */
  maxStrangersPerAddress: number
  /** TCP sockets that have not upgraded to a WebSocket yet, across all addresses. */
  maxPending: number
  /** Such sockets from one address. */
  maxPendingPerAddress: number
  /** Addresses where a trusted device was seen: not held back by the strangers' share nor the overall cap of pending sockets. */
  isPreferredAddress?: (ip: string) => boolean
}

/** A link's place in the budget: `trusted()` once its peer proved itself, `release()` when it closes. */
export interface BudgetSlot {
  trusted(): void
  release(): void
}

/**
 * Who may hold a socket (issue 11 item 12): counts per address before and after
 * the WebSocket upgrade, so one host cannot fill the budget with idle or
 * stalling sockets, and keeps part of the links for devices that proved they
 * are trusted. Pure bookkeeping; the listener closes what it refuses.
 */
export class ConnectionBudget {
  readonly #pending = new Map<string, number>()
  readonly #strangers = new Map<string, number>()
  #pendingTotal = 0
  #strangersTotal = 0
  #links = 0

  constructor(private readonly options: ConnectionBudgetOptions) {}

  /** Links open now (handshaking or linked). */
  get linkCount(): number {
    return this.#links
  }

  /** A raw TCP socket arrived: may it wait for its upgrade? If so, call `releasePending` once it upgrades or closes. */
  admitPending(ip: string): boolean {
    if ((this.#pending.get(ip) ?? 0) >= this.options.maxPendingPerAddress) return false
    if (this.#pendingTotal >= this.options.maxPending && !(this.options.isPreferredAddress?.(ip) ?? false)) return false
    this.#pending.set(ip, (this.#pending.get(ip) ?? 0) + 1)
    this.#pendingTotal++
    return true
  }

  releasePending(ip: string): void {
    if (!decrement(this.#pending, ip)) return
    this.#pendingTotal--
  }

  /** An upgraded socket wants a handshake: a slot, or the reason it is refused. */
  admitLink(ip: string): BudgetSlot | CloseReason {
    const { maxConnections, maxStrangers, maxStrangersPerAddress } = this.options
    if (this.#links >= maxConnections || (this.#strangers.get(ip) ?? 0) >= maxStrangersPerAddress) return "too many connections"
    if (this.#strangersTotal >= maxStrangers && !(this.options.isPreferredAddress?.(ip) ?? false)) return "too many connections"
    this.#links++
    this.#strangersTotal++
    this.#strangers.set(ip, (this.#strangers.get(ip) ?? 0) + 1)
    let stranger = true
    let open = true
    const leaveStrangers = () => {
      if (!stranger) return
      stranger = false
      decrement(this.#strangers, ip)
      this.#strangersTotal--
    }
    return {
      trusted: () => {
        if (open) leaveStrangers()
      },
      release: () => {
        if (!open) return
        open = false
        leaveStrangers()
        this.#links--
      },
    }
  }
}

function decrement(counts: Map<string, number>, key: string): boolean {
  const count = counts.get(key)
  if (count === undefined) return false
  if (count <= 1) counts.delete(key)
  else counts.set(key, count - 1)
  return true
}
