/**
 * crypto/ owns every primitive lanvault uses: AEAD, KDFs, signatures, key
 * agreement and the account-key text format. It imports nothing of src/ but
 * errors, and knows nothing of files, sockets or records.
 */
export * from "./aead.js"
export * from "./bytes.js"
export * from "./hkdf.js"
export * from "./kdf.js"
export * from "./keys.js"
export * from "./account-key.js"
export * from "./trust-key.js"
export * from "./sealed-box.js"
export * from "./pairing-code.js"
