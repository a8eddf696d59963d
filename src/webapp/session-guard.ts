import { randomBytes, timingSafeEqual } from "node:crypto"

/** Random bytes in the one-time token and in each session id (256 bits). */
const SECRET_BYTES = 32
/** A session not used for this long is forgotten (the daemon keeps its own auto-lock). */
const SESSION_IDLE_MS = 12 * 60 * 60 * 1000
/** Name of the session cookie. */
export const SESSION_COOKIE = "lanvault_session"

/**
 * The one-time token printed by `lanvault app` and the sessions it was exchanged for.
 * The token works once; a session is a random id held only in an HttpOnly cookie.
 */
export class SessionGuard {
  private token: Buffer | undefined
  private readonly sessions = new Map<string, number>()

  constructor(private readonly now: () => number = Date.now) {
    this.token = randomBytes(SECRET_BYTES)
  }

  /** The token to print (base64url); undefined once it has been exchanged. */
  get oneTimeToken(): string | undefined {
    return this.token?.toString("base64url")
  }

  /** Exchanges the token for a new session id; undefined when it is wrong or already used. */
  exchange(candidate: string | undefined): string | undefined {
    if (this.token === undefined || candidate === undefined) return undefined
    const given = Buffer.from(candidate, "base64url")
    if (given.length !== this.token.length || !timingSafeEqual(given, this.token)) return undefined
    this.token.fill(0)
    this.token = undefined
    const session = randomBytes(SECRET_BYTES).toString("base64url")
    this.sessions.set(session, this.now())
    return session
  }

  /** Whether `session` (the cookie's value) is a live session; refreshes its idle timer. */
  check(session: string | undefined): boolean {
    if (session === undefined) return false
    for (const [id, lastUsed] of this.sessions) {
      if (this.now() - lastUsed > SESSION_IDLE_MS) {
        this.sessions.delete(id)
        continue
      }
      const a = Buffer.from(id)
      const b = Buffer.from(session)
      if (a.length === b.length && timingSafeEqual(a, b)) {
        this.sessions.set(id, this.now())
        return true
      }
    }
    return false
  }

  /** Ends a session (sign out). */
  end(session: string | undefined): void {
    if (session !== undefined) this.sessions.delete(session)
  }
}
