/**
 * Every failure a user, a peer or the disk can cause, as a typed error with a
 * stable code. One table maps codes to JSON-RPC error numbers and CLI exit codes;
 * messages say what happened and what to do, and never carry a secret.
 */

/** Stable error codes: part of the socket contract (JSON-RPC `error.data.name`). */
export const ERROR_CODES = {
  PARSE_ERROR: { rpc: -32700, exit: 1 },
  INVALID_REQUEST: { rpc: -32600, exit: 1 },
  METHOD_NOT_FOUND: { rpc: -32601, exit: 1 },
  INVALID_PARAMS: { rpc: -32602, exit: 2 },
  INTERNAL: { rpc: -32603, exit: 1 },
  MESSAGE_TOO_LARGE: { rpc: -32001, exit: 1 },
  LOCKED: { rpc: -32002, exit: 3 },
  WRONG_PASSWORD: { rpc: -32003, exit: 1 },
  TOO_MANY_ATTEMPTS: { rpc: -32004, exit: 1 },
  NOT_FOUND: { rpc: -32005, exit: 1 },
  NO_ACCOUNT: { rpc: -32006, exit: 1 },
  ACCOUNT_EXISTS: { rpc: -32007, exit: 1 },
  ALREADY_RUNNING: { rpc: -32008, exit: 1 },
  DAEMON_NOT_RUNNING: { rpc: -32009, exit: 4 },
  CORRUPT_DATA: { rpc: -32010, exit: 1 },
  DECRYPTION_FAILED: { rpc: -32011, exit: 1 },
  BAD_SIGNATURE: { rpc: -32012, exit: 1 },
  SEQUENCE_GAP: { rpc: -32013, exit: 1 },
  INVALID_ACCOUNT_KEY: { rpc: -32014, exit: 1 },
  STORAGE_FULL: { rpc: -32015, exit: 1 },
  UNSUPPORTED_FORMAT: { rpc: -32016, exit: 1 },
  IMPORT_FAILED: { rpc: -32017, exit: 1 },
  HANDSHAKE_FAILED: { rpc: -32018, exit: 1 },
  PEER_REFUSED: { rpc: -32019, exit: 1 },
  PROTOCOL_ERROR: { rpc: -32020, exit: 1 },
  NOT_ALLOWED: { rpc: -32021, exit: 1 },
  USAGE: { rpc: -32022, exit: 2 },
  TIMEOUT: { rpc: -32023, exit: 1 },
  /** A QUERY (title, URL host, id prefix) names several records; `data.candidates` lists them. */
  AMBIGUOUS: { rpc: -32040, exit: 1 },
  /** No clipboard tool for this session (xclip, xsel, wl-copy, pbcopy, clip), or it failed. */
  CLIPBOARD_UNAVAILABLE: { rpc: -32041, exit: 1 },
  /** Another program (KeePassXC?) already serves the browser socket. */
  BROWSER_SOCKET_IN_USE: { rpc: -32050, exit: 1 },
  /** A new account password the strength estimate refuses (without --allow-weak). */
  WEAK_PASSWORD: { rpc: -32060, exit: 1 },
  /** A file this device was asked to write (the emergency kit) could not be written. */
  WRITE_FAILED: { rpc: -32061, exit: 1 },
  /** The OS keychain is missing, locked or refused: quick unlock is not possible, the password is. */
  KEYCHAIN_UNAVAILABLE: { rpc: -32062, exit: 1 },
  /** `unlock` without a password, and no quick unlock can be used (none remembered, used up, expired, password changed). */
  QUICK_UNLOCK_UNAVAILABLE: { rpc: -32063, exit: 1 },
  /** The daemon's TCP port is taken: `data.port`; the message says how to pick another. */
  PORT_IN_USE: { rpc: -32042, exit: 1 },
  /** `service install|uninstall` could not finish (systemctl/launchctl missing or failed); the message says what is left to do. */
  SERVICE_FAILED: { rpc: -32043, exit: 1 },
  /** This device was revoked by another: writes are refused (they would never sync); `data.next` is what to run. */
  REVOKED: { rpc: -32070, exit: 5 },
  /** The account was reset on another device: this one's account key is obsolete; `data.next` is what to run. */
  ACCOUNT_RESET: { rpc: -32071, exit: 6 },
  /** An import or export path that is a directory, FIFO, device or socket. */
  NOT_A_FILE: { rpc: -32090, exit: 1 },
  /** An import file over the size limit. */
  FILE_TOO_LARGE: { rpc: -32091, exit: 1 },
  /** An export that could not be written (disk full, no such directory…). */
  EXPORT_FAILED: { rpc: -32092, exit: 1 },
  /** A backup whose header (trust list, generation, account) the account's trust key does not vouch for: tampered, or too old to check. */
  BACKUP_NOT_AUTHENTIC: { rpc: -32093, exit: 1 },
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** How many candidates an AMBIGUOUS message lists (all are in its data). */
const MAX_CANDIDATES_SHOWN = 10

/** Base of every error lanvault raises on purpose. Tests assert `code`, not text. */
export class LanvaultError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; data?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.data = options?.data
  }
  /** Extra machine-readable facts (never secrets), e.g. `retryAfterMs`. */
  readonly data: Record<string, unknown> | undefined
}

export class LockedError extends LanvaultError {
  constructor() {
    super("LOCKED", "the vault is locked: run `lanvault unlock` first")
  }
}

export class WrongPasswordError extends LanvaultError {
  /** `hint`: the person's own password hint, shown after repeated failures (never the password). */
  constructor(hint?: string) {
    super("WRONG_PASSWORD", hint === undefined ? "wrong account password" : `wrong account password (your hint: ${JSON.stringify(hint)})`,
      hint === undefined ? undefined : { data: { hint } })
  }
}

export class TooManyAttemptsError extends LanvaultError {
  constructor(retryAfterMs: number) {
    const seconds = Math.ceil(retryAfterMs / 1000)
    super("TOO_MANY_ATTEMPTS", `too many wrong passwords: try again in ${seconds} s`, { data: { retryAfterMs } })
  }
}

export class NotFoundError extends LanvaultError {
  constructor(what: string) {
    super("NOT_FOUND", `${what} not found`)
  }
}

export class InvalidParamsError extends LanvaultError {
  constructor(message: string) {
    super("INVALID_PARAMS", message)
  }
}

export class CorruptDataError extends LanvaultError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CORRUPT_DATA", message, options)
  }
}

export class DecryptionError extends LanvaultError {
  constructor(message = "decryption failed: the data was tampered with or the key is wrong") {
    super("DECRYPTION_FAILED", message)
  }
}

export class BadSignatureError extends LanvaultError {
  constructor(message = "signature check failed: the data was tampered with or is foreign") {
    super("BAD_SIGNATURE", message)
  }
}

export class InvalidAccountKeyError extends LanvaultError {
  constructor(message: string) {
    super("INVALID_ACCOUNT_KEY", message)
  }
}

/** A QUERY matched several records: the message lists them; `data.candidates` holds `{id, title}`. */
export class AmbiguousError extends LanvaultError {
  constructor(query: string, candidates: Array<{ id: string; title: string }>) {
    const shown = candidates.slice(0, MAX_CANDIDATES_SHOWN).map((c) => `  ${c.id.slice(0, 8)}  ${c.title}`)
    if (candidates.length > shown.length) shown.push(`  … and ${candidates.length - shown.length} more`)
    const message = [`"${query}" matches ${candidates.length} records: give an id (or a longer id prefix) instead. Candidates:`, ...shown].join("\n")
    super("AMBIGUOUS", message, { data: { candidates } })
  }
}

export class DaemonNotRunningError extends LanvaultError {
  constructor(socketPath: string) {
    super("DAEMON_NOT_RUNNING", `the lanvault daemon is not running (no socket at ${socketPath}): start it with \`lanvault daemon\``)
  }
}

/** JSON-RPC error number for a code. */
export function rpcCodeOf(code: ErrorCode): number {
  return ERROR_CODES[code].rpc
}

/** CLI exit code for a code (DESIGN §11: 1 error, 2 usage, 3 locked, 4 daemon not running). */
export function exitCodeOf(code: ErrorCode): number {
  return ERROR_CODES[code].exit
}

/** Whether a string is one of our stable codes (for errors decoded from the wire). */
export function isErrorCode(name: unknown): name is ErrorCode {
  return typeof name === "string" && Object.hasOwn(ERROR_CODES, name)
}
