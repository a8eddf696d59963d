import { afterEach, describe, expect, it } from "vitest"
import { randomBytes } from "../../../src/crypto/bytes.js"
import type { FrameSocket } from "../../../src/transport/frame-socket.js"
import { settle } from "./helpers.js"

/** Makes two connected sockets and a cleanup. */
export type SocketPairFactory = () => Promise<{ a: FrameSocket; b: FrameSocket; cleanup: () => Promise<void> | void }>

function nextClose(socket: FrameSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.onClose((code, reason) => resolve({ code, reason })))
}

function collect(socket: FrameSocket, count: number): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const got: Uint8Array[] = []
    socket.onMessage((bytes) => {
      got.push(bytes)
      if (got.length === count) resolve(got)
    })
  })
}

/** The behaviour every FrameSocket implementation must share (the port's contract). */
export function runFrameSocketContract(name: string, makePair: SocketPairFactory): void {
  describe(`FrameSocket contract: ${name}`, () => {
    const cleanups: Array<() => Promise<void> | void> = []
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    })

    async function pair() {
      const made = await makePair()
      cleanups.push(made.cleanup)
      return made
    }

    it("delivers binary messages in order, both ways, as Uint8Array", async () => {
      const { a, b } = await pair()
      const frames = [randomBytes(1), randomBytes(65_535), new Uint8Array(0), randomBytes(10)]
      const atB = collect(b, frames.length)
      const atA = collect(a, 1)
      for (const frame of frames) a.send(frame)
      b.send(frames[0])
      const got = await atB
      expect(got).toEqual(frames)
      expect(got.every((bytes) => bytes instanceof Uint8Array)).toBe(true)
      expect(await atA).toEqual([frames[0]])
    })

    it("is not affected by the sender changing its buffer after send()", async () => {
      const { a, b } = await pair()
      const frame = new Uint8Array([1, 2, 3])
      const atB = collect(b, 1)
      a.send(frame)
      frame[0] = 9
      expect(await atB).toEqual([new Uint8Array([1, 2, 3])])
    })

    it("queues messages that arrive before a handler is set", async () => {
      const { a, b } = await pair()
      a.send(new Uint8Array([7]))
      await settle(20)
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(await collect(b, 1)).toEqual([new Uint8Array([7])])
    })

    it("reports a close with its code and reason on both sides, once", async () => {
      const { a, b } = await pair()
      const [atA, atB] = [nextClose(a), nextClose(b)]
      a.close(4002, "revoked")
      expect(await atB).toEqual({ code: 4002, reason: "revoked" })
      expect(await atA).toEqual({ code: 4002, reason: "revoked" })
      a.close(4011, "shutting down")
      expect(await nextClose(b)).toEqual({ code: 4002, reason: "revoked" })
    })

    it("ignores send() after close", async () => {
      const { a, b } = await pair()
      const closed = nextClose(b)
      a.close(4000, "normal closure")
      await closed
      expect(() => a.send(new Uint8Array([1]))).not.toThrow()
    })
  })
}
