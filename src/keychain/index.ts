/**
 * keychain/ owns the adapter to the operating system's keychain (Secret Service
 * on Linux, Keychain on macOS, Credential Manager on Windows) through
 * @napi-rs/keyring. It stores opaque bytes under a name; it knows nothing of
 * vaults, passwords or what the bytes unlock.
 */
export * from "./os-keychain.js"
