/**
 * credentials/ makes and derives credential values: generated passwords and
 * passphrases (EFF long word list), and TOTP codes from stored seeds (RFC 6238).
 * Pure functions over their inputs and the system RNG/clock: it knows nothing of
 * the vault, the store, the socket or the network.
 */
export * from "./generator.js"
export * from "./totp.js"
