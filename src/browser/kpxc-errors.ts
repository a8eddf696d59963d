/**
 * The error codes of the KeePassXC browser protocol (keepassxc-browser's
 * `kpErrors`, KeePassXC's BrowserMessageBuilder): the extension shows its own
 * text for each, so the numbers are the contract, not our wording.
 */
export const KPXC_ERRORS = {
  DATABASE_NOT_OPENED: 1,
  DATABASE_HASH_NOT_RECEIVED: 2,
  CLIENT_PUBLIC_KEY_NOT_RECEIVED: 3,
  CANNOT_DECRYPT_MESSAGE: 4,
  ACTION_CANCELLED_OR_DENIED: 6,
  CANNOT_ENCRYPT_MESSAGE: 7,
  ASSOCIATION_FAILED: 8,
  ENCRYPTION_KEY_UNRECOGNIZED: 10,
  INCORRECT_ACTION: 12,
  EMPTY_MESSAGE_RECEIVED: 13,
  NO_URL_PROVIDED: 14,
  NO_LOGINS_FOUND: 15,
  NO_GROUPS_FOUND: 16,
  NO_VALID_UUID_PROVIDED: 18,
} as const

export type KpxcErrorName = keyof typeof KPXC_ERRORS

const MESSAGES: Record<KpxcErrorName, string> = {
  DATABASE_NOT_OPENED: "Database not opened",
  DATABASE_HASH_NOT_RECEIVED: "Database hash not available",
  CLIENT_PUBLIC_KEY_NOT_RECEIVED: "Client public key not received",
  CANNOT_DECRYPT_MESSAGE: "Cannot decrypt message",
  ACTION_CANCELLED_OR_DENIED: "Action cancelled or denied",
  CANNOT_ENCRYPT_MESSAGE: "Message encryption failed.",
  ASSOCIATION_FAILED: "KeePassXC association failed, try again",
  ENCRYPTION_KEY_UNRECOGNIZED: "Encryption key is not recognized",
  INCORRECT_ACTION: "Incorrect action",
  EMPTY_MESSAGE_RECEIVED: "Empty message received",
  NO_URL_PROVIDED: "No URL provided",
  NO_LOGINS_FOUND: "No logins found",
  NO_GROUPS_FOUND: "No groups found",
  NO_VALID_UUID_PROVIDED: "No valid UUID provided",
}

/** A request the protocol answers with an error reply (never thrown past the handler). */
export class KpxcError extends Error {
  constructor(readonly kind: KpxcErrorName) {
    super(MESSAGES[kind])
    this.name = "KpxcError"
  }

  get code(): number {
    return KPXC_ERRORS[this.kind]
  }
}

/** The unencrypted error reply: `errorCode` is a string, as KeePassXC sends it. */
export function errorReply(action: string, kind: KpxcErrorName, requestId?: string): Record<string, string> {
  const reply: Record<string, string> = { action, errorCode: String(KPXC_ERRORS[kind]), error: MESSAGES[kind] }
  if (requestId !== undefined) reply.requestID = requestId
  return reply
}
