import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { fromHex, toHex } from "../../../src/crypto/bytes.js"
import { NOISE_IK, NoiseHandshake } from "../../../src/transport/noise.js"

// The cacophony vectors, copied into the repository (test/vectors/README.md).
const VECTORS_URL = new URL("../../vectors/cacophony.txt", import.meta.url)
const IK_HANDSHAKE_MESSAGES = 2
// IK over 25519 with {ChaChaPoly, AESGCM} x {SHA256, SHA512, BLAKE2s, BLAKE2b}, counted in cacophony.txt.
const EXPECTED_IK_VECTORS = 8

interface Vector {
  protocol_name: string
  init_prologue: string
  resp_prologue: string
  init_static: string
  resp_static: string
  init_ephemeral: string
  resp_ephemeral: string
  init_remote_static?: string
  handshake_hash: string
  messages: Array<{ payload: string; ciphertext: string }>
}

const all = (JSON.parse(readFileSync(VECTORS_URL, "utf8")) as { vectors: Vector[] }).vectors
const ikVectors = all.filter((v) => /^Noise_IK_25519_/.test(v.protocol_name))

function parties(vector: Vector): { initiator: NoiseHandshake; responder: NoiseHandshake } {
  const initiator = new NoiseHandshake({
    protocolName: vector.protocol_name,
    initiator: true,
    prologue: fromHex(vector.init_prologue),
    staticSecret: fromHex(vector.init_static),
    ephemeralSecret: fromHex(vector.init_ephemeral),
    remoteStatic: fromHex(vector.init_remote_static!),
  })
  const responder = new NoiseHandshake({
    protocolName: vector.protocol_name,
    initiator: false,
    prologue: fromHex(vector.resp_prologue),
    staticSecret: fromHex(vector.resp_static),
    ephemeralSecret: fromHex(vector.resp_ephemeral),
  })
  return { initiator, responder }
}

/** Plays one IK vector (Noise spec §7.5, pre-message `<- s`): ciphertexts, hash and transport both ways. */
function runVector(vector: Vector): void {
  const { initiator, responder } = parties(vector)
  vector.messages.slice(0, IK_HANDSHAKE_MESSAGES).forEach((message, index) => {
    const [writer, reader] = index % 2 === 0 ? [initiator, responder] : [responder, initiator]
    expect(toHex(writer.writeMessage(fromHex(message.payload)))).toBe(message.ciphertext)
    expect(toHex(reader.readMessage(fromHex(message.ciphertext)))).toBe(message.payload)
  })
  expect(toHex(initiator.handshakeHash)).toBe(vector.handshake_hash)
  expect(toHex(responder.handshakeHash)).toBe(vector.handshake_hash)
  expect(toHex(responder.remoteStatic!)).toBe(toHex(initiator.localStatic))
  const keys = { initiator: initiator.split(), responder: responder.split() }
  vector.messages.slice(IK_HANDSHAKE_MESSAGES).forEach((message, offset) => {
    const fromInitiator = (IK_HANDSHAKE_MESSAGES + offset) % 2 === 0
    const [sender, receiver] = fromInitiator ? [keys.initiator, keys.responder] : [keys.responder, keys.initiator]
    expect(toHex(sender.send.encrypt(fromHex(message.payload)))).toBe(message.ciphertext)
    expect(toHex(receiver.receive.decrypt(fromHex(message.ciphertext)))).toBe(message.payload)
  })
}

describe("Noise IK vectors (cacophony): the trusted-link pattern of protocol 2", () => {
  it("finds lanvault's IK suite and the pluggable ones", () => {
    expect(ikVectors.map((v) => v.protocol_name)).toContain(NOISE_IK)
    expect(ikVectors).toHaveLength(EXPECTED_IK_VECTORS)
  })

  it.each(ikVectors.map((v) => [v.protocol_name, v] as const))("%s: handshake, handshake hash and transport messages both ways", (_name, vector) => {
    runVector(vector)
  })

  it("a responder cannot read message 1 made for another responder's key: it learns nothing and says nothing", () => {
    const vector = ikVectors.find((v) => v.protocol_name === NOISE_IK)!
    const { initiator } = parties(vector)
    const stranger = new NoiseHandshake({ protocolName: NOISE_IK, initiator: false, staticSecret: fromHex("11".repeat(32)), prologue: fromHex(vector.resp_prologue) })
    const message = initiator.writeMessage(fromHex("68656c6c6f"))
    expect(() => stranger.readMessage(message)).toThrow(expect.objectContaining({ code: "HANDSHAKE_FAILED", data: { kind: "decrypt" } }))
    expect(stranger.remoteStatic).toBeUndefined()
  })
})
