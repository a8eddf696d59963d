import type { LogEntry } from "../../../src/store/log-entry.js"
import type { TrustEntry } from "../../../src/store/vault-store.js"

/** Device ids that sort A < B < C. */
export const DEVICE_A = "a".repeat(32)
export const DEVICE_B = "b".repeat(32)
export const DEVICE_C = "c".repeat(32)

const CIPHERTEXT_BYTES = 48

/**
 * A well-formed but unsigned entry: the store checks shape and order only, so its
 * tests need no crypto. `variant` changes the bytes (a "conflicting" copy).
 */
export function fakeEntry(deviceId: string, seq: number, variant = 0, epoch = 1): LogEntry {
  const ciphertext = new Uint8Array(CIPHERTEXT_BYTES)
  const view = new DataView(ciphertext.buffer)
  view.setUint32(0, seq)
  view.setUint32(4, variant)
  ciphertext.set(Buffer.from(deviceId.slice(0, 8), "hex"), 8)
  const signature = new Uint8Array(64).fill((seq + variant) & 0xff)
  return { deviceId, seq, epoch, ciphertext, signature }
}

/** Entries 1..count of one device. */
export function fakeLog(deviceId: string, count: number, from = 1): LogEntry[] {
  return Array.from({ length: count }, (_, i) => fakeEntry(deviceId, from + i))
}

export function trustEntry(deviceId: string, addedAt: number, extra: Partial<TrustEntry> = {}): TrustEntry {
  return {
    deviceId,
    name: `device ${deviceId.slice(0, 4)}`,
    signPublic: new Uint8Array(32).fill(1),
    dhPublic: new Uint8Array(32).fill(2),
    addedAt,
    ...extra,
  }
}

/** Runs `fn` and returns the error it throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): Error & { code?: string; data?: Record<string, unknown> } {
  try {
    fn()
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error("expected a throw")
}
