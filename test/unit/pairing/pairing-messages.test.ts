import { describe, expect, it } from "vitest"
import { decodeWelcome, encodeWelcome, type Welcome } from "../../../src/pairing/pairing-messages.js"

const DEVICE = "ab".repeat(16)

function welcome(trust: Welcome["trust"]): Welcome {
  return { accountId: "cd".repeat(16), generation: 1, bucketCount: 16, keysetVersion: 1, keyset: new Uint8Array([1, 2, 3]), trust, host: { deviceId: DEVICE, name: "desk" } }
}

describe("pairing welcome", () => {
  it("carries a signed rename (time and signature) to the new device, and drops a rename time without its signature", () => {
    const base = { deviceId: DEVICE, name: "study", signPublic: new Uint8Array(32).fill(1), dhPublic: new Uint8Array(32).fill(2), addedAt: 5, addSig: new Uint8Array(64).fill(3) }
    const signed = { ...base, renamedAt: 1_800_000_000_000, renameSig: new Uint8Array(64).fill(4) }
    expect(decodeWelcome(encodeWelcome(welcome([signed]))).trust).toEqual([signed])
    expect(decodeWelcome(encodeWelcome(welcome([{ ...base, renamedAt: 9 }]))).trust).toEqual([base])
  })
})
