import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { randomBytes, utf8 } from "../../../src/crypto/bytes.js"
import { LanvaultError } from "../../../src/errors.js"
import { CipherState } from "../../../src/transport/cipher-state.js"
import { NOISE_XX, NOISE_XX_PSK3, NoiseHandshake, type NoiseHandshakeOptions } from "../../../src/transport/noise.js"
import { noiseSuite } from "../../../src/transport/noise-suite.js"

const PSK = randomBytes(32)
const MAX_NONCE = 2n ** 64n - 1n

function pair(protocolName: string, overrides: { initiator?: Partial<NoiseHandshakeOptions>; responder?: Partial<NoiseHandshakeOptions> } = {}) {
  const psk = protocolName === NOISE_XX_PSK3 ? PSK : undefined
  const base = { protocolName, prologue: utf8("test prologue"), psk }
  const initiator = new NoiseHandshake({ ...base, initiator: true, staticSecret: randomBytes(32), ...overrides.initiator })
  const responder = new NoiseHandshake({ ...base, initiator: false, staticSecret: randomBytes(32), ...overrides.responder })
  return { initiator, responder }
}

function handshake(initiator: NoiseHandshake, responder: NoiseHandshake): Uint8Array[] {
  const payloads = [utf8("one"), utf8("two"), utf8("three")]
  const received: Uint8Array[] = []
  payloads.forEach((payload, index) => {
    const [writer, reader] = index % 2 === 0 ? [initiator, responder] : [responder, initiator]
    received.push(reader.readMessage(writer.writeMessage(payload)))
  })
  return received
}

function expectHandshakeError(run: () => unknown, kind?: string): void {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(LanvaultError)
    expect((error as LanvaultError).code).toBe("HANDSHAKE_FAILED")
    if (kind !== undefined) expect((error as LanvaultError).data?.kind).toBe(kind)
    return
  }
  throw new Error("expected a HANDSHAKE_FAILED error")
}

describe.each([NOISE_XX, NOISE_XX_PSK3])("%s in memory", (protocolName) => {
  it("completes in both roles with the same hash, the right remote keys and payloads", () => {
    const { initiator, responder } = pair(protocolName)
    expect(initiator.isMyTurn).toBe(true)
    expect(responder.isMyTurn).toBe(false)
    const received = handshake(initiator, responder)
    expect(received.map((bytes) => new TextDecoder().decode(bytes))).toEqual(["one", "two", "three"])
    expect(initiator.isFinished && responder.isFinished).toBe(true)
    expect(initiator.handshakeHash).toEqual(responder.handshakeHash)
    expect(initiator.remoteStatic).toEqual(responder.localStatic)
    expect(responder.remoteStatic).toEqual(initiator.localStatic)
  })

  it("splits into transport states that work in both directions with rising nonces", () => {
    const { initiator, responder } = pair(protocolName)
    handshake(initiator, responder)
    const i = initiator.split()
    const r = responder.split()
    for (let n = 0; n < 3; n++) {
      expect(r.receive.decrypt(i.send.encrypt(utf8(`i${n}`)))).toEqual(utf8(`i${n}`))
      expect(i.receive.decrypt(r.send.encrypt(utf8(`r${n}`)))).toEqual(utf8(`r${n}`))
    }
    expect(i.send.nonce).toBe(3n)
    expect(r.receive.nonce).toBe(3n)
  })

  it("refuses a different prologue at the first encrypted payload", () => {
    const { initiator, responder } = pair(protocolName, { responder: { prologue: utf8("other") } })
    const first = initiator.writeMessage()
    if (protocolName === NOISE_XX_PSK3) {
      // §9.2: with a psk, `e` already keys the cipher, so message 1's payload is encrypted.
      expectHandshakeError(() => responder.readMessage(first), "decrypt")
      return
    }
    responder.readMessage(first)
    expectHandshakeError(() => initiator.readMessage(responder.writeMessage()), "decrypt")
  })

  it("refuses calls out of turn, split before the end, and a second split", () => {
    const { initiator, responder } = pair(protocolName)
    expectHandshakeError(() => responder.writeMessage(), "state")
    expectHandshakeError(() => initiator.split(), "state")
    const fresh = pair(protocolName)
    handshake(fresh.initiator, fresh.responder)
    fresh.initiator.split()
    expectHandshakeError(() => fresh.initiator.split(), "state")
    expectHandshakeError(() => fresh.initiator.writeMessage(), "state")
  })

  it("stays failed after a failure", () => {
    const { initiator, responder } = pair(protocolName)
    const first = initiator.writeMessage()
    expectHandshakeError(() => responder.readMessage(first.subarray(0, 10)), "malformed")
    expectHandshakeError(() => responder.readMessage(first), "state")
  })

  it("refuses a tampered message 2", () => {
    const { initiator, responder } = pair(protocolName)
    responder.readMessage(initiator.writeMessage())
    const second = responder.writeMessage(utf8("hello"))
    second[40] ^= 0x01
    expectHandshakeError(() => initiator.readMessage(second), "decrypt")
  })

  it("refuses a payload that would make a message longer than 65,535 bytes", () => {
    const { initiator } = pair(protocolName)
    expectHandshakeError(() => initiator.writeMessage(new Uint8Array(65_535)), "malformed")
  })

  it("only ever throws HANDSHAKE_FAILED for random bytes at each stage", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 200 }), (stage, garbage) => {
        const { initiator, responder } = pair(protocolName)
        const order = [initiator, responder, initiator]
        for (let index = 0; index < stage; index++) {
          const reader = order[index + 1] === initiator ? initiator : responder
          reader.readMessage(order[index].writeMessage())
        }
        const reader = stage % 2 === 0 ? responder : initiator
        try {
          reader.readMessage(garbage)
        } catch (error) {
          return error instanceof LanvaultError && error.code === "HANDSHAKE_FAILED"
        }
        return true
      }),
      { numRuns: 300 },
    )
  })
})

describe("XXpsk3", () => {
  it("fails at message 3 with a decrypt error when the psks differ", () => {
    const { initiator, responder } = pair(NOISE_XX_PSK3, { responder: { psk: randomBytes(32) } })
    responder.readMessage(initiator.writeMessage())
    initiator.readMessage(responder.writeMessage())
    expectHandshakeError(() => responder.readMessage(initiator.writeMessage()), "decrypt")
  })

  it("needs a 32-byte psk, and XX takes none", () => {
    expectHandshakeError(() => pair(NOISE_XX_PSK3, { initiator: { psk: undefined } }), "state")
    expectHandshakeError(() => pair(NOISE_XX_PSK3, { initiator: { psk: new Uint8Array(16) } }), "state")
    expectHandshakeError(() => pair(NOISE_XX, { initiator: { psk: PSK } }), "state")
  })
})

describe("NoiseHandshake options", () => {
  it("refuses unknown protocols and bad key lengths with HANDSHAKE_FAILED", () => {
    expectHandshakeError(() => new NoiseHandshake({ protocolName: "Noise_IK_25519_ChaChaPoly_SHA256", initiator: true, staticSecret: randomBytes(32) }))
    expectHandshakeError(() => new NoiseHandshake({ protocolName: NOISE_XX, initiator: true, staticSecret: randomBytes(31) }))
    expectHandshakeError(() => new NoiseHandshake({ protocolName: NOISE_XX, initiator: true, staticSecret: randomBytes(32), ephemeralSecret: randomBytes(33) }))
  })

  it("uses a fresh ephemeral key per handshake unless one is fixed", () => {
    const a = pair(NOISE_XX).initiator.writeMessage()
    const b = pair(NOISE_XX).initiator.writeMessage()
    expect(a).not.toEqual(b)
  })
})

describe("CipherState", () => {
  const suite = noiseSuite(NOISE_XX)

  it("refuses to encrypt once the nonce reaches 2^64-1 (Noise §5.1)", () => {
    const state = new CipherState(suite, randomBytes(32))
    state.setNonce(MAX_NONCE - 1n)
    state.encrypt(utf8("last"))
    expect(() => state.encrypt(utf8("one too many"))).toThrow(expect.objectContaining({ code: "PROTOCOL_ERROR" }))
  })

  it("refuses to decrypt once the nonce reaches 2^64-1, and accepts the message before", () => {
    const key = randomBytes(32)
    const sender = new CipherState(suite, key)
    const receiver = new CipherState(suite, key)
    sender.setNonce(MAX_NONCE - 1n)
    receiver.setNonce(MAX_NONCE - 1n)
    expect(receiver.decrypt(sender.encrypt(utf8("last")))).toEqual(utf8("last"))
    expect(() => receiver.decrypt(new Uint8Array(32))).toThrow(expect.objectContaining({ code: "PROTOCOL_ERROR" }))
  })

  it("does not advance the nonce on a failed decryption and refuses a replay", () => {
    const key = randomBytes(32)
    const sender = new CipherState(suite, key)
    const receiver = new CipherState(suite, key)
    const first = sender.encrypt(utf8("first"))
    const bad = first.slice()
    bad[0] ^= 1
    expect(() => receiver.decrypt(bad)).toThrow(expect.objectContaining({ code: "PROTOCOL_ERROR" }))
    expect(receiver.nonce).toBe(0n)
    expect(receiver.decrypt(first)).toEqual(utf8("first"))
    expect(() => receiver.decrypt(first)).toThrow(expect.objectContaining({ code: "PROTOCOL_ERROR" }))
  })

  it("refuses everything after destroy()", () => {
    const state = new CipherState(suite, randomBytes(32))
    state.destroy()
    expect(() => state.encrypt(utf8("x"))).toThrow(expect.objectContaining({ code: "PROTOCOL_ERROR" }))
    expect(() => state.decrypt(new Uint8Array(20))).toThrow(expect.objectContaining({ code: "PROTOCOL_ERROR" }))
  })
})
