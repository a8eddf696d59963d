import { pino, type Level } from "pino"

/**
 * The logger every part takes in its deps. Messages and fields must never hold a
 * key, a password, a record value or a decrypted change.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

/** JSON lines on stderr (pino), at `level` (LANVAULT_LOG_LEVEL, default info). */
export function createLogger(options: { level?: string; name?: string; destination?: number } = {}): Logger {
  const level = (options.level ?? process.env.LANVAULT_LOG_LEVEL ?? "info") as Level
  return wrap(pino({ name: options.name ?? "lanvault", level, base: { pid: process.pid } }, pino.destination({ fd: options.destination ?? 2, sync: true })))
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return wrap(pino({ level: "silent" }))
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (message, fields) => p.debug(fields ?? {}, message),
    info: (message, fields) => p.info(fields ?? {}, message),
    warn: (message, fields) => p.warn(fields ?? {}, message),
    error: (message, fields) => p.error(fields ?? {}, message),
    child: (fields) => wrap(p.child(fields)),
  }
}

/** Fields describing an error for a log line: its code and message, no stack of secrets. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    // `data` of a LanvaultError holds only non-secret facts (a close reason, a retry delay).
    const data = (error as { data?: unknown }).data
    return { err: { name: error.name, code: (error as { code?: unknown }).code, message: error.message, ...(data ? { data } : {}) } }
  }
  return { err: String(error) }
}
