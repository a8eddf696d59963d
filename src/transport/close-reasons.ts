/**
 * The one place that maps why a link ends to a WebSocket close code (DESIGN §6):
 * the other side reads the code and shows the text. Codes are part of the
 * wire contract: add new ones, never renumber.
 */
export const CLOSE_REASONS = {
  "normal closure": 4000,
  "unknown device": 4001,
  revoked: 4002,
  "account was reset": 4003,
  "pairing window closed": 4004,
  "wrong account key": 4005,
  "protocol error": 4006,
  "handshake timeout": 4007,
  "message too large": 4008,
  "rate limited": 4009,
  "not on the LAN": 4010,
  "shutting down": 4011,
  "too many connections": 4012,
  "internal error": 4013,
  "older protocol version": 4014,
  /** Pairing: nobody on the host confirmed the code (a "no", a timeout or a locked vault); nothing secret was sent. */
  "pairing not confirmed": 4015,
  /** Pairing: another new device's code is on the host's screen right now. */
  "pairing busy": 4016,
} as const

/** A reason a link can be closed for; the text is what a person sees. */
export type CloseReason = keyof typeof CLOSE_REASONS

/** How a link ended, as both ends report it. */
export interface CloseInfo {
  /** The WebSocket close code (4000–4999 for lanvault's reasons). */
  code: number
  /** Our reason for that code, or undefined for a code outside the table (e.g. 1006). */
  reason: CloseReason | undefined
  /** True when this side closed the link. */
  local: boolean
}

const BY_CODE = new Map<number, CloseReason>(
  Object.entries(CLOSE_REASONS).map(([reason, code]) => [code, reason as CloseReason]),
)

/** The WebSocket close code for a reason. */
export function closeCodeOf(reason: CloseReason): number {
  return CLOSE_REASONS[reason]
}

/** The reason for a close code received from a peer, if it is one of ours. */
export function closeReasonOf(code: number): CloseReason | undefined {
  return BY_CODE.get(code)
}

/** Whether a string names one of the reasons. */
export function isCloseReason(text: unknown): text is CloseReason {
  return typeof text === "string" && Object.hasOwn(CLOSE_REASONS, text)
}
