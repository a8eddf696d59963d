/**
 * Limits that parts which never import each other must agree on: the encrypted
 * channel (transport/) carries what sync/ sends, so both bound a message the same.
 */

/** The largest message a channel carries and a sync message may be (16 MiB). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024
