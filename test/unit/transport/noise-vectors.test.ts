import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { fromHex, toHex } from "../../../src/crypto/bytes.js"
import { NOISE_XX, NOISE_XX_PSK3, NoiseHandshake } from "../../../src/transport/noise.js"

// Copied into the repository (test/vectors/README.md names the source).
const VECTORS_URL = new URL("../../vectors/cacophony.txt", import.meta.url)
const HANDSHAKE_MESSAGES = 3
// Counted in cacophony.txt (snow commit 8ac60f5): one vector per suite.
const EXPECTED_LANVAULT_VECTORS = 2
// XX and XXpsk3 over 25519 with {ChaChaPoly, AESGCM} x {SHA256, SHA512, BLAKE2s, BLAKE2b}.
const EXPECTED_ALL_XX_VECTORS = 16

interface Vector {
  protocol_name: string
  init_prologue: string
  resp_prologue: string
  init_static: string
  resp_static: string
  init_ephemeral: string
  resp_ephemeral: string
  init_psks?: string[]
  resp_psks?: string[]
  handshake_hash: string
  messages: Array<{ payload: string; ciphertext: string }>
}

const all = (JSON.parse(readFileSync(VECTORS_URL, "utf8")) as { vectors: Vector[] }).vectors
const xxVectors = all.filter((v) => /^Noise_(XX|XXpsk3)_25519_/.test(v.protocol_name))
const lanvaultVectors = xxVectors.filter((v) => v.protocol_name === NOISE_XX || v.protocol_name === NOISE_XX_PSK3)

function party(vector: Vector, initiator: boolean): NoiseHandshake {
  const side = initiator ? "init" : "resp"
  const psks = vector[`${side}_psks`]
  return new NoiseHandshake({
    protocolName: vector.protocol_name,
    initiator,
    prologue: fromHex(vector[`${side}_prologue`]),
    staticSecret: fromHex(vector[`${side}_static`]),
    ephemeralSecret: fromHex(vector[`${side}_ephemeral`]),
    psk: psks === undefined ? undefined : fromHex(psks[0]),
  })
}

/** Plays one vector: both sides check every ciphertext, hash and transport message. */
function runVector(vector: Vector): void {
  const initiator = party(vector, true)
  const responder = party(vector, false)
  vector.messages.slice(0, HANDSHAKE_MESSAGES).forEach((message, index) => {
    const [writer, reader] = index % 2 === 0 ? [initiator, responder] : [responder, initiator]
    expect(toHex(writer.writeMessage(fromHex(message.payload)))).toBe(message.ciphertext)
    expect(toHex(reader.readMessage(fromHex(message.ciphertext)))).toBe(message.payload)
  })
  expect(toHex(initiator.handshakeHash)).toBe(vector.handshake_hash)
  expect(toHex(responder.handshakeHash)).toBe(vector.handshake_hash)
  expect(toHex(initiator.remoteStatic!)).toBe(toHex(responder.localStatic))
  expect(toHex(responder.remoteStatic!)).toBe(toHex(initiator.localStatic))
  const keys = { initiator: initiator.split(), responder: responder.split() }
  vector.messages.slice(HANDSHAKE_MESSAGES).forEach((message, offset) => {
    const fromInitiator = (HANDSHAKE_MESSAGES + offset) % 2 === 0
    const [sender, receiver] = fromInitiator ? [keys.initiator, keys.responder] : [keys.responder, keys.initiator]
    expect(toHex(sender.send.encrypt(fromHex(message.payload)))).toBe(message.ciphertext)
    expect(toHex(receiver.receive.decrypt(fromHex(message.ciphertext)))).toBe(message.payload)
  })
}

describe("Noise vectors (cacophony)", () => {
  it("finds every XX and XXpsk3 vector of lanvault's suites and of the pluggable ones", () => {
    expect(lanvaultVectors.length).toBeGreaterThan(0)
    expect(lanvaultVectors).toHaveLength(EXPECTED_LANVAULT_VECTORS)
    expect(xxVectors).toHaveLength(EXPECTED_ALL_XX_VECTORS)
  })

  it.each(lanvaultVectors.map((v) => [v.protocol_name, v] as const))(
    "%s: handshake, handshake hash and transport messages both ways",
    (_name, vector) => {
      runVector(vector)
    },
  )

  it.each(xxVectors.filter((v) => !lanvaultVectors.includes(v)).map((v) => [v.protocol_name, v] as const))(
    "the same state machine with %s",
    (_name, vector) => {
      runVector(vector)
    },
  )

  it("ran transport messages in both directions", () => {
    for (const vector of lanvaultVectors) {
      expect(vector.messages.length).toBeGreaterThan(HANDSHAKE_MESSAGES + 1)
    }
  })
})
