/**
 * pairing/ owns adding a device to the account: the pairing window a trusted
 * device opens (PairingHost), `lanvault join` on the new device, and the two
 * messages they exchange over a Noise XXpsk3 link. It uses transport/, store/,
 * account/ and connections/' addresses (the store only through ports.ts); it
 * must not know records or the socket.
 */
export { PairingHost, type PairingHostDeps } from "./pairing-host.js"
export type { PairingStore } from "./ports.js"
export { joinAccount, type JoinArgs, type JoinResult } from "./join.js"
export { decodeJoinRequest, decodeWelcome, encodeJoinRequest, encodeWelcome, type JoinRequest, type Welcome } from "./pairing-messages.js"
