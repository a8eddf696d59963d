import { LanvaultError } from "../errors.js"
import { wipe } from "../crypto/bytes.js"
import { TAG_BYTES, type NoiseSuite } from "./noise-suite.js"

const KEY_BYTES = 32
/** Noise spec §5.1: n = 2^64-1 is reserved; reaching it ends the CipherState. */
const MAX_NONCE = 2n ** 64n - 1n

/**
 * A Noise CipherState (spec rev. 34 §5.1): a key and a 64-bit nonce counter
 * that only ever goes up, so no nonce is used twice under one key. After
 * `split()` one instance encrypts each direction of a link.
 *
 * Failures throw `LanvaultError("PROTOCOL_ERROR")`; the handshake wraps them
 * as `HANDSHAKE_FAILED`. A failed decryption leaves the counter unchanged.
 */
export class CipherState {
  #key: Uint8Array | undefined
  #nonce = 0n
  #destroyed = false

  constructor(
    private readonly suite: NoiseSuite,
    key?: Uint8Array,
  ) {
    this.initializeKey(key)
  }

  /** InitializeKey(key) of §5.1: sets the key and resets the counter. */
  initializeKey(key: Uint8Array | undefined): void {
    if (this.#destroyed) throw new LanvaultError("PROTOCOL_ERROR", "this cipher state was destroyed", { data: { kind: "state" } })
    if (key !== undefined && key.length !== KEY_BYTES) {
      throw new LanvaultError("PROTOCOL_ERROR", `a cipher key must be ${KEY_BYTES} bytes`)
    }
    wipe(this.#key)
    this.#key = key?.slice()
    this.#nonce = 0n
  }

  /** HasKey() of §5.1. */
  hasKey(): boolean {
    return this.#key !== undefined
  }

  /** The next nonce this state will use (for tests and diagnostics). */
  get nonce(): bigint {
    return this.#nonce
  }

  /** SetNonce(nonce) of §5.1; only for tests of the exhaustion rule. */
  setNonce(nonce: bigint): void {
    if (nonce < 0n || nonce > MAX_NONCE) throw new LanvaultError("PROTOCOL_ERROR", "nonce out of range")
    this.#nonce = nonce
  }

  /** EncryptWithAd(ad, plaintext) of §5.1. */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.#key === undefined) return plaintext.slice()
    const n = this.#takeNonce()
    return this.suite.encrypt(this.#key, n, ad, plaintext)
  }

  /** DecryptWithAd(ad, ciphertext) of §5.1; the counter moves only on success. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (this.#key === undefined) return ciphertext.slice()
    this.#checkUsable()
    if (ciphertext.length < TAG_BYTES) {
      throw new LanvaultError("PROTOCOL_ERROR", "ciphertext shorter than its tag", { data: { kind: "malformed" } })
    }
    let plaintext: Uint8Array
    try {
      plaintext = this.suite.decrypt(this.#key, this.#nonce, ad, ciphertext)
    } catch (cause) {
      throw new LanvaultError("PROTOCOL_ERROR", "decryption failed: the frame was tampered with, replayed or reordered, or the key is wrong", { cause, data: { kind: "decrypt" } })
    }
    this.#nonce += 1n
    return plaintext
  }

  /** Encrypt with empty associated data: one transport message (§5.1, §5.3 Split). */
  encrypt(plaintext: Uint8Array): Uint8Array {
    return this.encryptWithAd(new Uint8Array(0), plaintext)
  }

  /** Decrypt with empty associated data: one transport message. */
  decrypt(ciphertext: Uint8Array): Uint8Array {
    return this.decryptWithAd(new Uint8Array(0), ciphertext)
  }

  /** Zeroes the key; the state can no longer encrypt or decrypt. */
  destroy(): void {
    wipe(this.#key)
    this.#key = new Uint8Array(0)
    this.#destroyed = true
  }

  #checkUsable(): void {
    if (this.#destroyed) throw new LanvaultError("PROTOCOL_ERROR", "this cipher state was destroyed", { data: { kind: "state" } })
    if (this.#nonce >= MAX_NONCE) throw exhausted()
  }

  #takeNonce(): bigint {
    this.#checkUsable()
    const n = this.#nonce
    this.#nonce += 1n
    return n
  }
}

function exhausted(): LanvaultError {
  return new LanvaultError("PROTOCOL_ERROR", "nonce counter exhausted: this link must be re-established", { data: { kind: "exhausted" } })
}
