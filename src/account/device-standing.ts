import { LanvaultError } from "../errors.js"
import type { IdentityKeeper, MetaTable, TrustLookup } from "./ports.js"
import { META } from "./meta-keys.js"

/** Store meta key of this device's standing (JSON, see {@link Standing}). */
const STANDING_META = "device.standing"

/** Why this device no longer belongs to its account (issue 11 item 7). */
export type StandingState = "revoked" | "account reset"

/** What this device learnt about itself from a trusted device; tied to its identity and generation. */
export interface Standing {
  state: StandingState
  /** When it was learnt (ms since the epoch). */
  since: number
  /** The trusted device that said so, if known. */
  by?: string
  /** What to tell the person, and what to run next. */
  message: string
  next: string
}

/** The part of the store a device's standing is read from and kept in. */
export type StandingStore = Pick<MetaTable, "getMeta" | "setMeta"> & Pick<IdentityKeeper, "getDeviceId"> & TrustLookup

const NEXT = "lanvault export FILE --format json (to keep what only this device holds), then on a trusted device show the account key and run `lanvault join` here"
const WORDS: Record<StandingState, { message: string; next: string }> = {
  revoked: {
    message: "this device was revoked by another device of the account: nothing written here reaches the others any more; its records stay readable",
    next: NEXT,
  },
  "account reset": {
    message: "the account was reset on another device: this device's account key is obsolete and nothing written here reaches the others; its records stay readable",
    next: NEXT,
  },
}

/**
 * This device's standing: undefined while it belongs to its account. Revoked when
 * its own trust entry says so (synced from a trusted device) or a trusted device
 * refused it as revoked; account reset when a trusted device showed a newer
 * generation. A standing learnt under another identity or generation (before a
 * `join` or a `reset`) no longer counts.
 */
export function readStanding(store: StandingStore): Standing | undefined {
  const deviceId = store.getDeviceId()
  if (deviceId === undefined) return undefined
  const revokedAt = store.getTrust(deviceId)?.revokedAt
  const stored = parse(store.getMeta(STANDING_META))
  const current = stored !== undefined && stored.deviceId === deviceId && stored.generation === generationOf(store)
  if (current && stored.state === "account reset") return standing("account reset", stored.since, stored.by)
  if (revokedAt !== undefined) return standing("revoked", revokedAt)
  if (current) return standing(stored.state, stored.since, stored.by)
  return undefined
}

/** Records what a trusted device showed; true if this is news (the caller tells the person). */
export function markStanding(store: StandingStore, state: StandingState, by?: string, now: number = Date.now()): boolean {
  const deviceId = store.getDeviceId()
  if (deviceId === undefined) return false
  const before = readStanding(store)
  if (before?.state === state || before?.state === "account reset") return false
  store.setMeta(STANDING_META, JSON.stringify({ state, since: now, by, deviceId, generation: generationOf(store) }))
  return true
}

/** Every write to the vault, the trust list or the pairing window calls this first. */
export function assertInGoodStanding(store: StandingStore): void {
  const current = readStanding(store)
  if (current === undefined) return
  const code = current.state === "revoked" ? "REVOKED" : "ACCOUNT_RESET"
  throw new LanvaultError(code, `${current.message}. Next: ${current.next}`, { data: { state: current.state, next: current.next } })
}

function standing(state: StandingState, since: number, by?: string): Standing {
  return { state, since, ...(by === undefined ? {} : { by }), ...WORDS[state] }
}

function generationOf(store: StandingStore): number {
  return Number(store.getMeta(META.generation) ?? 1)
}

function parse(text: string | undefined): { state: StandingState; since: number; by?: string; deviceId: string; generation: number } | undefined {
  if (text === undefined) return undefined
  try {
    const value = JSON.parse(text) as { state?: unknown; since?: unknown; by?: unknown; deviceId?: unknown; generation?: unknown }
    if (value.state !== "revoked" && value.state !== "account reset") return undefined
    if (typeof value.since !== "number" || typeof value.deviceId !== "string" || typeof value.generation !== "number") return undefined
    return { state: value.state, since: value.since, by: typeof value.by === "string" ? value.by : undefined, deviceId: value.deviceId, generation: value.generation }
  } catch {
    return undefined
  }
}
