/**
 * transport/ owns the link between two devices: the Noise XX/XXpsk3 state
 * machine (pure), the encrypted chunked channel, the lanvault handshake, the
 * LAN-only policy and thin `ws` glue. It knows nothing of store/ or discovery/;
 * callers see only FrameSocket, Channel and close reasons.
 */
export * from "./close-reasons.js"
export * from "./frame-socket.js"
export * from "./memory-socket.js"
export * from "./cipher-state.js"
export { NOISE_MAX_MESSAGE_BYTES } from "./noise-suite.js"
export * from "./noise.js"
export * from "./channel.js"
export * from "./handshake-session.js"
export * from "./lan-policy.js"
export * from "./rate-limiter.js"
export * from "./ws-frame-socket.js"
export * from "./ws-transport.js"
export * from "./ws-dial.js"
export * from "./connection-budget.js"
export * from "./host-port.js"
