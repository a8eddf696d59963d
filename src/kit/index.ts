/**
 * kit/ owns the emergency kit: the one-page PDF with the account key (as text
 * and as a QR code), the device name, the date and how to use it, and writing
 * it to a file. It is handed the key; it knows nothing of the daemon, the
 * socket or the network.
 */
export * from "./emergency-kit.js"
export * from "./kit-file.js"
