/**
 * connections/ owns the links to other devices: the listener and its routing,
 * one dialer per address, the channel link sync runs over, the handshake payload,
 * peer addresses and the mDNS discovery link. It uses transport/, discovery/ and
 * sync/'s PeerLink port; it must not know records, the vault's keys or the socket.
 */
export { PeerNetwork, type PeerNetworkDeps, type PeerNetworkOptions, type PeerSource, type PeerStatus } from "./peer-network.js"
export { PeerDialer, type DialerState } from "./peer-dialer.js"
export { ChannelLink } from "./channel-link.js"
export { DiscoveryLink } from "./discovery-link.js"
export { PAIR_PATH, TRUSTED_PATH, parsePeerAddress, type PairingHandler } from "./peer-address.js"
export { accountTag, decodeHello, encodeHello, type HelloPayload } from "./handshake-payload.js"
export { PeerSharing, PEERS_NOTICE, type PeerSharingDeps } from "./peer-sharing.js"
export { peerOverview, type PeerLine } from "./peer-overview.js"
export type { AddressShelf, LinkIdentity, LinkTrust, PeerNetworkStore } from "./ports.js"
