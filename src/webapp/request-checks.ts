/** Pure checks and headers for the local app server: which requests come from its own page. */

/** The page's policy: its own scripts and styles only, no inline code, no framing, no foreign connections. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ")

/** Sent with every answer, refusals included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

/** What a request says about where it comes from. */
export interface RequestOrigin {
  method: string
  host: string | undefined
  origin: string | undefined
  fetchSite: string | undefined
}

/** Why a request is refused before its session is even looked at (403), or undefined when it may go on. */
export function refusalOf(request: RequestOrigin, ownHost: string, options: { tokenExchange: boolean }): string | undefined {
  // DNS rebinding: a page of evil.example resolved to 127.0.0.1 still sends `Host: evil.example:PORT`.
  if (request.host !== ownHost) return "foreign host"
  const ownOrigin = `http://${ownHost}`
  if (request.origin !== undefined && request.origin !== ownOrigin) return "foreign origin"
  const unsafe = request.method !== "GET" && request.method !== "HEAD"
  // A state-changing call must prove it comes from our own page (fetch always sends Origin on POST).
  if (unsafe && request.origin !== ownOrigin) return "missing origin"
  // The token link may be opened from a terminal or a file (no or cross site); everything else is same-origin.
  if (!options.tokenExchange && request.fetchSite !== undefined && request.fetchSite !== "same-origin" && request.fetchSite !== "none") return "cross-site request"
  return undefined
}
