import { concatBytes, utf8, wipe } from "../crypto/bytes.js"
import { CipherState } from "./cipher-state.js"
import { noiseHkdf, truncateKey, type NoiseSuite } from "./noise-suite.js"

/**
 * A Noise SymmetricState (spec rev. 34 §5.2): the chaining key `ck`, the
 * handshake hash `h` and the CipherState that encrypts handshake payloads.
 */
export class SymmetricState {
  readonly cipher: CipherState
  #chainingKey: Uint8Array
  #hash: Uint8Array

  /** InitializeSymmetric(protocol_name) of §5.2. */
  constructor(private readonly suite: NoiseSuite) {
    const name = utf8(suite.protocolName)
    // §5.2: a name of at most HASHLEN bytes is zero-padded, a longer one hashed.
    if (name.length <= suite.hashLen) {
      this.#hash = new Uint8Array(suite.hashLen)
      this.#hash.set(name)
    } else {
      this.#hash = suite.hash(name)
    }
    this.#chainingKey = this.#hash.slice()
    this.cipher = new CipherState(suite)
  }

  /** MixKey(input_key_material) of §5.2. */
  mixKey(ikm: Uint8Array): void {
    const [chainingKey, tempKey] = noiseHkdf(this.suite, this.#chainingKey, ikm, 2)
    this.#replaceChainingKey(chainingKey)
    this.cipher.initializeKey(truncateKey(tempKey))
  }

  /** MixHash(data) of §5.2: h = HASH(h || data). */
  mixHash(data: Uint8Array): void {
    this.#hash = this.suite.hash(concatBytes(this.#hash, data))
  }

  /** MixKeyAndHash(input_key_material) of §5.2, used by the psk token (§9.2). */
  mixKeyAndHash(ikm: Uint8Array): void {
    const [chainingKey, tempHash, tempKey] = noiseHkdf(this.suite, this.#chainingKey, ikm, 3)
    this.#replaceChainingKey(chainingKey)
    this.mixHash(tempHash)
    this.cipher.initializeKey(truncateKey(tempKey))
  }

  /** GetHandshakeHash() of §5.2. */
  get handshakeHash(): Uint8Array {
    return this.#hash.slice()
  }

  /** EncryptAndHash(plaintext) of §5.2. */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.cipher.encryptWithAd(this.#hash, plaintext)
    this.mixHash(ciphertext)
    return ciphertext
  }

  /** DecryptAndHash(ciphertext) of §5.2. */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.cipher.decryptWithAd(this.#hash, ciphertext)
    this.mixHash(ciphertext)
    return plaintext
  }

  /** Split() of §5.2: the initiator's sending state first, then the responder's. */
  split(): [CipherState, CipherState] {
    const [tempKey1, tempKey2] = noiseHkdf(this.suite, this.#chainingKey, new Uint8Array(0), 2)
    const states: [CipherState, CipherState] = [
      new CipherState(this.suite, truncateKey(tempKey1)),
      new CipherState(this.suite, truncateKey(tempKey2)),
    ]
    wipe(tempKey1, tempKey2, this.#chainingKey)
    this.cipher.destroy()
    return states
  }

  #replaceChainingKey(next: Uint8Array): void {
    wipe(this.#chainingKey)
    this.#chainingKey = next
  }
}
