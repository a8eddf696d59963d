/**
 * What every chaos test reads from the environment: the scale (`LANVAULT_CHAOS_SCALE`
 * = "ci" by default, or "full" for the issue's sizes) and the seed
 * (`LANVAULT_CHAOS_SEED`, printed by every test so a failing run replays), plus a
 * small seeded PRNG. Also the guard that keeps chaos files out of `npm test`.
 */
import { describe } from "vitest"

export type ChaosScale = "ci" | "full"

/** "ci" (fits ~10 min on 2 cores, all files) or "full" (the issue's sizes). */
export function chaosScale(): ChaosScale {
  const raw = (process.env.LANVAULT_CHAOS_SCALE ?? "ci").trim().toLowerCase()
  if (raw !== "ci" && raw !== "full") throw new Error(`LANVAULT_CHAOS_SCALE must be "ci" or "full", not "${raw}"`)
  return raw
}

/** `sizes.ci` or `sizes.full`, per the scale. */
export function sized<T>(sizes: { ci: T; full: T }): T {
  return sizes[chaosScale()]
}

/**
 * The seed of this run: `LANVAULT_CHAOS_SEED` if set (a replay), else a fresh one.
 * Printed at once with the line that replays it.
 */
export function chaosSeed(what: string): number {
  const raw = process.env.LANVAULT_CHAOS_SEED
  const seed = raw !== undefined && raw.trim() !== "" ? Number.parseInt(raw, 10) >>> 0 : (Math.random() * 2 ** 32) >>> 0
  log(`${what}: seed ${seed} (replay: LANVAULT_CHAOS_SEED=${seed} LANVAULT_CHAOS_SCALE=${chaosScale()} npm run test:chaos)`)
  return seed
}

/** Deterministic seed of trial `index` of a run seeded `seed` (trial 0 has the run's seed itself). */
export function trialSeed(seed: number, index: number): number {
  return (seed + Math.imul(index, 0x9e3779b1)) >>> 0
}

/** A seeded PRNG (mulberry32): the same seed gives the same schedule. */
export class Rng {
  private state: number

  constructor(readonly seed: number) {
    this.state = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list")
    return items[Math.floor(this.next() * items.length)]
  }

  /** A word of lowercase letters and digits, `length` long. */
  word(length: number): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    let out = ""
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)]
    return out
  }
}

/** One line on stderr, prefixed so it stands out in vitest's output. */
export function log(message: string): void {
  process.stderr.write(`[chaos] ${message}\n`)
}

/**
 * Whether this process runs the chaos suite on purpose. `vitest.config.ts`
 * includes `test/**`, so without this guard `npm test` would also pick up
 * test/chaos (with its 30 s timeout). True under `npm run test:chaos`, with
 * LANVAULT_CHAOS_SCALE set, or under vitest.chaos.config.ts (its 600 s timeout).
 */
export function isChaosRun(): boolean {
  if (process.env.npm_lifecycle_event === "test:chaos") return true
  if (process.env.LANVAULT_CHAOS_SCALE !== undefined) return true
  const worker = (globalThis as { __vitest_worker__?: { config?: { testTimeout?: number } } }).__vitest_worker__
  return (worker?.config?.testTimeout ?? 0) >= 600_000
}

/** `describe`, skipped outside the chaos suite (see {@link isChaosRun}). */
export const describeChaos: typeof describe = describe.skipIf(!isChaosRun()) as typeof describe

/** ms since `start`, for the timing lines. */
export function since(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
