/**
 * kdbxweb with Argon2 from hash-wasm (WebAssembly, nothing to build or download
 * at install). Every KDBX use goes through `kdbx()`, which wires Argon2 once.
 */
import kdbxweb from "kdbxweb"
import { argon2d, argon2id } from "hash-wasm"

const ARGON2ID_TYPE = 2
let wired = false

/** kdbxweb, with its Argon2 implementation set. */
export function kdbx(): typeof kdbxweb {
  if (!wired) {
    kdbxweb.CryptoEngine.setArgon2Impl(async (password, salt, memoryKib, iterations, length, parallelism, type) => {
      const argon2 = type === ARGON2ID_TYPE ? argon2id : argon2d
      const hash = await argon2({
        password: new Uint8Array(password),
        salt: new Uint8Array(salt),
        memorySize: memoryKib,
        iterations,
        hashLength: length,
        parallelism,
        outputType: "binary",
      })
      return hash.buffer.slice(hash.byteOffset, hash.byteOffset + hash.byteLength) as ArrayBuffer
    })
    wired = true
  }
  return kdbxweb
}

/** A copy of `bytes` as the ArrayBuffer kdbxweb takes. */
export function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}
