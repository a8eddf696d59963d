import { describe, expect, it } from "vitest"
import { randomBytes, utf8 } from "../../../src/crypto/bytes.js"
import { CHUNK_DATA_BYTES, FRAME_ACCEPT, FRAME_FINAL } from "../../../src/transport/channel-frames.js"
import { CLOSE_REASONS } from "../../../src/transport/close-reasons.js"
import { channelPair, closed, messages, settle } from "./helpers.js"

const MIB = 1024 * 1024

describe("Channel over an in-memory socket pair", () => {
  it("carries messages both ways, in order, including an empty one", async () => {
    const { a, b } = channelPair()
    const atB = messages(b, 3)
    const atA = messages(a, 1)
    a.send(utf8("one"))
    a.send(new Uint8Array(0))
    a.send(utf8("three"))
    b.send(utf8("back"))
    expect(await atB).toEqual([utf8("one"), new Uint8Array(0), utf8("three")])
    expect(await atA).toEqual([utf8("back")])
  })

  it("chunks a 1 MiB message into frames of at most 65,535 bytes and reassembles it", async () => {
    const { a, b, tap } = channelPair()
    const big = randomBytes(MIB)
    const atB = messages(b, 1)
    a.send(big)
    const [received] = await atB
    expect(received).toEqual(big)
    expect(tap.sent.length).toBe(Math.ceil(MIB / CHUNK_DATA_BYTES))
    expect(Math.max(...tap.sent.map((frame) => frame.length))).toBe(65_535)
  })

  it.each([CHUNK_DATA_BYTES - 1, CHUNK_DATA_BYTES, CHUNK_DATA_BYTES + 1, 2 * CHUNK_DATA_BYTES])(
    "round-trips a message of %i bytes around the chunk boundary",
    async (size) => {
      const { a, b } = channelPair()
      const message = randomBytes(size)
      const atB = messages(b, 1)
      a.send(message)
      expect((await atB)[0]).toEqual(message)
    },
  )

  it("keeps messages that arrive before the handler is set", async () => {
    const { a, b } = channelPair()
    a.send(utf8("early"))
    await settle()
    expect(await messages(b, 1)).toEqual([utf8("early")])
  })

  it("closes both ends with 'protocol error' on a tampered frame", async () => {
    const { a, b, tap } = channelPair()
    tap.hold = true
    a.send(utf8("secret"))
    const frame = tap.held[0]
    frame[3] ^= 0x80
    const [atA, atB] = [closed(a), closed(b)]
    tap.inject(frame)
    expect(await atB).toEqual({ code: CLOSE_REASONS["protocol error"], reason: "protocol error", local: true })
    expect(await atA).toEqual({ code: CLOSE_REASONS["protocol error"], reason: "protocol error", local: false })
  })

  it("closes with 'protocol error' on a replayed frame", async () => {
    const { a, b, tap } = channelPair()
    const received: Uint8Array[] = []
    b.onMessage((message) => received.push(message))
    const atA = closed(a)
    a.send(utf8("pay 10"))
    await settle()
    tap.inject(tap.sent[0])
    expect((await closed(b)).reason).toBe("protocol error")
    expect((await atA).reason).toBe("protocol error")
    expect(received).toEqual([utf8("pay 10")])
  })

  it("closes with 'protocol error' on reordered frames and delivers neither", async () => {
    const { a, b, tap } = channelPair()
    const received: Uint8Array[] = []
    b.onMessage((message) => received.push(message))
    tap.hold = true
    a.send(utf8("first"))
    a.send(utf8("second"))
    tap.inject(tap.held[1])
    tap.inject(tap.held[0])
    expect((await closed(b)).reason).toBe("protocol error")
    expect(received).toEqual([])
  })

  it("closes with 'protocol error' on a dropped frame", async () => {
    const { a, b, tap } = channelPair()
    tap.hold = true
    a.send(utf8("dropped"))
    a.send(utf8("next"))
    tap.inject(tap.held[1])
    expect((await closed(b)).reason).toBe("protocol error")
  })

  it("closes with 'message too large' on a frame longer than 65,535 bytes", async () => {
    const { a, b, tap } = channelPair()
    const atA = closed(a)
    tap.inject(new Uint8Array(65_536))
    expect((await closed(b)).reason).toBe("message too large")
    expect(await atA).toMatchObject({ code: CLOSE_REASONS["message too large"], reason: "message too large", local: false })
  })

  it("closes with 'message too large' when the chunks of one message pass the receiver's limit", async () => {
    const { a, b } = channelPair({ a: { maxMessageBytes: 4 * MIB }, b: { maxMessageBytes: MIB } })
    const received: Uint8Array[] = []
    b.onMessage((message) => received.push(message))
    a.send(randomBytes(MIB + 1))
    expect((await closed(b)).reason).toBe("message too large")
    expect(received).toEqual([])
  })

  it("refuses to send a message above its own limit with MESSAGE_TOO_LARGE and stays open", () => {
    const { a } = channelPair({ a: { maxMessageBytes: 1_000 } })
    expect(() => a.send(new Uint8Array(1_001))).toThrow(expect.objectContaining({ code: "MESSAGE_TOO_LARGE" }))
    expect(a.isClosed).toBe(false)
  })

  it("has a 16 MiB default limit", () => {
    const { a } = channelPair()
    expect(a.maxMessageBytes).toBe(16 * MIB)
    expect(() => a.send(new Uint8Array(16 * MIB + 1))).toThrow(expect.objectContaining({ code: "MESSAGE_TOO_LARGE" }))
  })

  it("closes with 'protocol error' on a frame type it does not know, such as a late ACCEPT", async () => {
    const { b, tap, keys } = channelPair()
    tap.inject(keys.a.send.encrypt(Uint8Array.of(FRAME_ACCEPT)))
    expect((await closed(b)).reason).toBe("protocol error")
  })

  it("closes with 'protocol error' on an empty plaintext", async () => {
    const { b, tap, keys } = channelPair()
    tap.inject(keys.a.send.encrypt(new Uint8Array(0)))
    expect((await closed(b)).reason).toBe("protocol error")
  })

  it("delivers a well-formed frame made by hand (the framing is the documented one)", async () => {
    const { b, tap, keys } = channelPair()
    const atB = messages(b, 1)
    tap.inject(keys.a.send.encrypt(Uint8Array.of(FRAME_FINAL, 0x68, 0x69)))
    expect(await atB).toEqual([utf8("hi")])
  })

  it("reports a close with the reason to both sides and refuses to send afterwards", async () => {
    const { a, b } = channelPair()
    const atB = closed(b)
    a.close("revoked")
    expect(a.closeInfo).toEqual({ code: 4002, reason: "revoked", local: true })
    expect(await atB).toEqual({ code: 4002, reason: "revoked", local: false })
    expect(() => a.send(utf8("late"))).toThrow(expect.objectContaining({ code: "PROTOCOL_ERROR" }))
    a.close("shutting down")
    expect(a.closeInfo?.reason).toBe("revoked")
  })

  it("reports a close code outside the table with an undefined reason", async () => {
    const { b, right } = channelPair()
    const atB = closed(b)
    right.destroy()
    expect(await atB).toMatchObject({ code: 1006, reason: undefined })
  })
})
