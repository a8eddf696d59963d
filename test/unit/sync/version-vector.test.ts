import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { LogEntry } from "../../../src/store/log-entry.js"
import {
  advanceVector, compareVectors, dominates, mergeVectors, missingCount, missingRanges, seqOf,
} from "../../../src/sync/version-vector.js"

const A = "a".repeat(32)
const B = "b".repeat(32)
const C = "c".repeat(32)

function at(deviceId: string, seq: number): LogEntry {
  return { deviceId, seq, epoch: 1, ciphertext: new Uint8Array(40), signature: new Uint8Array(64) }
}

const vectorArb = fc.dictionary(fc.constantFrom(A, B, C), fc.integer({ min: 0, max: 50 }))

describe("version vectors", () => {
  it("a device not named holds 0", () => {
    expect(seqOf({ [A]: 3 }, B)).toBe(0)
    expect(seqOf({ [A]: 3 }, A)).toBe(3)
    expect(seqOf({}, "constructor")).toBe(0)
  })

  it("compares equal, before, after and concurrent vectors", () => {
    expect(compareVectors({ [A]: 1 }, { [A]: 1, [B]: 0 })).toBe("equal")
    expect(compareVectors({ [A]: 1 }, { [A]: 2 })).toBe("before")
    expect(compareVectors({ [A]: 2, [B]: 1 }, { [A]: 2 })).toBe("after")
    expect(compareVectors({ [A]: 2 }, { [B]: 1 })).toBe("concurrent")
    expect(dominates({ [A]: 2, [B]: 1 }, { [A]: 2 })).toBe(true)
    expect(dominates({ [A]: 2 }, { [B]: 1 })).toBe(false)
  })

  it("merges to the pointwise maximum and drops zeros", () => {
    expect(mergeVectors({ [A]: 3, [B]: 1, [C]: 0 }, { [A]: 1, [B]: 4 })).toEqual({ [A]: 3, [B]: 4 })
  })

  it("lists the ranges and counts the entries one vector lacks", () => {
    const have = { [A]: 3, [B]: 9 }
    const source = { [C]: 2, [A]: 5, [B]: 4 }
    expect(missingRanges(have, source)).toEqual([
      { deviceId: A, afterSeq: 3, toSeq: 5 },
      { deviceId: C, afterSeq: 0, toSeq: 2 },
    ])
    expect(missingCount(have, source)).toBe(4)
    expect(missingCount(source, source)).toBe(0)
  })

  it("advances only forward and leaves its argument alone", () => {
    const vector = { [A]: 2 }
    const next = advanceVector(vector, [at(A, 3), at(A, 1), at(B, 1)])
    expect(next).toEqual({ [A]: 3, [B]: 1 })
    expect(vector).toEqual({ [A]: 2 })
  })

  it("merge is commutative, idempotent and dominates both inputs", () => {
    fc.assert(fc.property(vectorArb, vectorArb, (a, b) => {
      const m = mergeVectors(a, b)
      expect(m).toEqual(mergeVectors(b, a))
      expect(mergeVectors(m, m)).toEqual(m)
      expect(dominates(m, a) && dominates(m, b)).toBe(true)
      expect(missingCount(m, a)).toBe(0)
      expect(missingCount(a, m)).toBe(missingCount(a, b))
    }))
  })

  it("compare is antisymmetric", () => {
    const flip = { equal: "equal", before: "after", after: "before", concurrent: "concurrent" } as const
    fc.assert(fc.property(vectorArb, vectorArb, (a, b) => {
      expect(compareVectors(b, a)).toBe(flip[compareVectors(a, b)])
    }))
  })
})
