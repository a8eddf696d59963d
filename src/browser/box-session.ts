import nacl from "tweetnacl"

/** NaCl box sizes (X25519 keys, XSalsa20 nonce). */
export const BOX_KEY_BYTES = 32
export const BOX_NONCE_BYTES = 24
/** Nonces remembered per session to refuse replays (a browser session sends far fewer). */
const MAX_REMEMBERED_NONCES = 65_536

/**
 * One browser session's encryption (keepassxc-protocol: `crypto_box`, i.e.
 * X25519 + XSalsa20-Poly1305, keys swapped by `change-public-keys`). The client
 * picks a random nonce per request; the reply uses that nonce incremented
 * (libsodium's `sodium_increment`, little-endian). A nonce seen before, in a
 * request or in one of our replies, is refused: a replayed or reflected message.
 */
export class BoxSession {
  private readonly keyPair = nacl.box.keyPair()
  private readonly shared: Uint8Array
  private readonly seen = new Set<string>()

  constructor(readonly clientPublicKey: Uint8Array) {
    if (clientPublicKey.length !== BOX_KEY_BYTES) throw new RangeError("client public key must be 32 bytes")
    this.shared = nacl.box.before(clientPublicKey, this.keyPair.secretKey)
  }

  /** Our public key for this session, base64. */
  get publicKey(): string {
    return Buffer.from(this.keyPair.publicKey).toString("base64")
  }

  /**
   * Records a request nonce; false if it was used before (by the client or by a reply of ours).
   * Must be called once per request, before answering.
   */
  admitNonce(nonce: Uint8Array): boolean {
    const key = Buffer.from(nonce).toString("base64")
    if (this.seen.has(key)) return false
    this.remember(key)
    return true
  }

  /** Opens a request's message; undefined if it does not authenticate. */
  open(message: Uint8Array, nonce: Uint8Array): Uint8Array | undefined {
    if (nonce.length !== BOX_NONCE_BYTES || message.length < nacl.box.overheadLength) return undefined
    return nacl.box.open.after(message, nonce, this.shared) ?? undefined
  }

  /** Seals a reply under `nonce` (the request's, incremented), remembering it so it cannot come back as a request. */
  seal(plaintext: Uint8Array, nonce: Uint8Array): Uint8Array {
    this.remember(Buffer.from(nonce).toString("base64"))
    return nacl.box.after(plaintext, nonce, this.shared)
  }

  /** Forgets the keys (the connection closed). */
  wipe(): void {
    this.shared.fill(0)
    this.keyPair.secretKey.fill(0)
    this.seen.clear()
  }

  private remember(key: string): void {
    if (this.seen.size >= MAX_REMEMBERED_NONCES) {
      // Oldest first: a Set iterates in insertion order.
      const oldest = this.seen.values().next().value
      if (oldest !== undefined) this.seen.delete(oldest)
    }
    this.seen.add(key)
  }
}

/** `sodium_increment`: the nonce as a little-endian number, plus one. */
export function incrementNonce(nonce: Uint8Array): Uint8Array {
  const next = Uint8Array.from(nonce)
  let carry = 1
  for (let i = 0; i < next.length; i++) {
    carry += next[i]
    next[i] = carry & 0xff
    carry >>= 8
  }
  return next
}

/** Decodes strict base64 of an expected length; undefined for anything else. */
export function decodeBase64(text: unknown, length?: number): Uint8Array | undefined {
  if (typeof text !== "string" || text.length === 0 || text.length > 4 * 1024 * 1024) return undefined
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined
  const bytes = new Uint8Array(Buffer.from(text, "base64"))
  if (length !== undefined && bytes.length !== length) return undefined
  return bytes
}
