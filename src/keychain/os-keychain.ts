import { LanvaultError } from "../errors.js"

/** The keychain's service name for every lanvault item. */
export const KEYCHAIN_SERVICE = "lanvault"
/** A keychain that does not answer in this time (a prompt nobody sees) counts as unavailable. */
const KEYCHAIN_TIMEOUT_MS = 10_000

type KeyringModule = typeof import("@napi-rs/keyring")

/**
 * The OS keychain through @napi-rs/keyring (prebuilt per platform, installed
 * from the npm registry). On Linux it is pinned to the Secret Service, so a
 * missing or locked keychain is an error, never a silent fallback to another
 * store. Every failure is KEYCHAIN_UNAVAILABLE with the keychain's reason.
 * It fits account/'s `SecretKeeper` port.
 */
export class OsKeychain {
  private module: Promise<KeyringModule> | undefined

  async set(name: string, secret: Uint8Array): Promise<void> {
    await this.call("store a secret in", (entry, signal) => entry.setSecret(secret, signal), name)
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const bytes = await this.call("read", (entry, signal) => entry.getSecret(signal), name)
    return bytes === null ? undefined : new Uint8Array(bytes)
  }

  async delete(name: string): Promise<boolean> {
    return this.call("delete a secret from", (entry, signal) => entry.deleteCredential(signal), name)
  }

  private async call<T>(what: string, use: (entry: InstanceType<KeyringModule["AsyncEntry"]>, signal: AbortSignal) => Promise<T>, name: string): Promise<T> {
    let entry
    try {
      const { AsyncEntry } = await (this.module ??= import("@napi-rs/keyring"))
      entry = new AsyncEntry(KEYCHAIN_SERVICE, name, { linux: { store: "secret-service" } })
    } catch (error) {
      throw unavailable(`cannot ${what} the system keychain`, error)
    }
    const signal = AbortSignal.timeout(KEYCHAIN_TIMEOUT_MS)
    try {
      return await use(entry, signal)
    } catch (error) {
      throw unavailable(signal.aborted ? `the system keychain did not answer in ${KEYCHAIN_TIMEOUT_MS / 1000} s` : `cannot ${what} the system keychain`, error)
    }
  }
}

function unavailable(message: string, cause: unknown): LanvaultError {
  const reason = cause instanceof Error ? cause.message.split("\n")[0].slice(0, 200) : "unknown error"
  return new LanvaultError("KEYCHAIN_UNAVAILABLE", `${message} (${reason})`, { cause })
}
