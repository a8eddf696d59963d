import { isIP } from "node:net"

/**
 * Which stored logins a page may get (pure). A page is an http(s) URL; its host
 * is normalised by the WHATWG parser (IDN to punycode, IPv4 forms to dotted
 * decimal, userinfo dropped). A login matches when one of its URLs names the
 * page's host or a parent domain of it (never a child, never a sibling), with
 * a compatible scheme (an https login is never offered to an http page) and the
 * same port (an entry without one is for the scheme's default port). IP literals
 * match only exactly.
 */

export interface SiteOrigin {
  scheme: "http" | "https"
  host: string
  port: string
}

/** Longest URL accepted from a browser request. */
export const MAX_URL_CHARS = 8192

/** The page's origin, or undefined for anything that is not an http(s) URL with a host. */
export function parseSiteUrl(url: unknown): SiteOrigin | undefined {
  if (typeof url !== "string" || url.length === 0 || url.length > MAX_URL_CHARS) return undefined
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  return originOf(parsed)
}

/** A stored login URL's origin; a bare host ("example.com", "example.com/login") is read as https. */
export function parseEntryUrl(value: string): SiteOrigin | undefined {
  const text = value.trim()
  if (text.length === 0 || text.length > MAX_URL_CHARS) return undefined
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`
  try {
    return originOf(new URL(withScheme))
  } catch {
    return undefined
  }
}

/** Whether a login stored for `entry` may be offered to `site`. */
export function entryMatchesSite(entry: SiteOrigin, site: SiteOrigin): boolean {
  if (entry.scheme === "https" && site.scheme !== "https") return false
  // Ports are "" when the scheme's default: an entry without a port is for the default one only.
  if (entry.port !== site.port) return false
  if (entry.host === site.host) return true
  if (isIpHost(entry.host) || isIpHost(site.host)) return false
  // A parent domain: at least two labels, so a bare "com" never matches everything.
  return entry.host.includes(".") && site.host.endsWith(`.${entry.host}`)
}

function originOf(parsed: URL): SiteOrigin | undefined {
  const scheme = parsed.protocol === "https:" ? "https" : parsed.protocol === "http:" ? "http" : undefined
  if (scheme === undefined) return undefined
  const host = parsed.hostname.replace(/\.$/, "").toLowerCase()
  if (host.length === 0) return undefined
  return { scheme, host, port: parsed.port }
}

function isIpHost(host: string): boolean {
  return host.startsWith("[") || isIP(host) !== 0
}
