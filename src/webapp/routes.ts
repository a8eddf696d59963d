import { Hono, type Context } from "hono"
import { getCookie, setCookie } from "hono/cookie"
import { streamSSE } from "hono/streaming"
import { isErrorCode } from "../errors.js"
import type { Asset } from "./assets.js"
import { exportDownload, readExportRequest } from "./export-download.js"
import { importUpload, MAX_IMPORT_BYTES } from "./import-upload.js"
import type { BridgeListener, DaemonBridge } from "./daemon-bridge.js"
import { refusalOf, SECURITY_HEADERS } from "./request-checks.js"
import { SESSION_COOKIE, type SessionGuard } from "./session-guard.js"

/** A comment line on the event stream this often keeps proxies and the browser from timing it out. */
const HEARTBEAT_MS = 25_000
/** Largest JSON body the page may send (a record with long notes fits). */
const MAX_BODY_BYTES = 4 * 1024 * 1024

/** What the routes need: the server's own `host:port`, the session guard, the daemon and the page files. */
export interface RouteDeps {
  ownHost: () => string
  sessions: SessionGuard
  bridge: DaemonBridge
  assets: Map<string, Asset>
}

/** Answered once the token is exchanged: a same-origin navigation, so the Strict cookie goes with it. */
const SIGNED_IN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/"><title>lanvault</title></head><body><p><a href="/">Open lanvault</a></p></body></html>`

/**
 * The app's HTTP surface. Order of checks on every request: Host and Origin (403),
 * then the session cookie (401) — except `/session`, which trades the one-time token for it.
 */
export function buildRoutes(deps: RouteDeps): Hono {
  const app = new Hono()
  app.use("*", async (c, next) => {
    await next()
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value)
  })
  app.use("*", async (c, next) => {
    const tokenExchange = c.req.path === "/session"
    const refusal = refusalOf(
      { method: c.req.method, host: c.req.header("host"), origin: c.req.header("origin"), fetchSite: c.req.header("sec-fetch-site") },
      deps.ownHost(),
      { tokenExchange },
    )
    if (refusal !== undefined) return c.text(`refused: ${refusal}`, 403)
    if (!tokenExchange && !deps.sessions.check(getCookie(c, SESSION_COOKIE))) {
      return c.text("no session: open the address `lanvault app` printed (its token works once)", 401)
    }
    await next()
  })

  app.get("/session", (c) => {
    const session = deps.sessions.exchange(c.req.query("token"))
    if (session === undefined) return c.text("this sign-in link is wrong or was already used: run `lanvault app` again", 403)
    setCookie(c, SESSION_COOKIE, session, { httpOnly: true, sameSite: "Strict", path: "/" })
    return c.html(SIGNED_IN_PAGE)
  })

  app.post("/api/call", async (c) => {
    if (!(c.req.header("content-type") ?? "").startsWith("application/json")) return c.json({ error: { code: "INVALID_REQUEST", message: "send JSON" } }, 415)
    if (Number(c.req.header("content-length") ?? 0) > MAX_BODY_BYTES) return c.json({ error: { code: "MESSAGE_TOO_LARGE", message: "request too large" } }, 413)
    let body: { method?: unknown; params?: unknown }
    try {
      body = await c.req.json()
    } catch {
      return c.json({ error: { code: "PARSE_ERROR", message: "the body is not JSON" } }, 400)
    }
    try {
      const result = await deps.bridge.call(String(body.method), body.params)
      return c.json({ result: result ?? null })
    } catch (error) {
      return errorAnswer(c, error)
    }
  })

  app.post("/api/import", async (c) => {
    if (Number(c.req.header("content-length") ?? 0) > MAX_IMPORT_BYTES) return c.json({ error: { code: "MESSAGE_TOO_LARGE", message: "file too large" } }, 413)
    try {
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      const name = decodeURIComponent(c.req.header("x-file-name") ?? "")
      return c.json({ result: await importUpload(bytes, name, (path) => deps.bridge.importFile(path)) })
    } catch (error) {
      return errorAnswer(c, error)
    }
  })

  // An export comes back as the answer's body (the page saves it): the format and a KDBX password travel in the POST body.
  app.post("/api/export", async (c) => {
    if (!(c.req.header("content-type") ?? "").startsWith("application/json")) return c.json({ error: { code: "INVALID_REQUEST", message: "send JSON" } }, 415)
    try {
      const download = await exportDownload(readExportRequest(await c.req.json().catch(() => undefined)), (params) => deps.bridge.exportFile(params))
      return c.body(new Uint8Array(download.bytes), 200, {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": `attachment; filename="${download.fileName}"`,
        "X-Exported-Records": String(download.exported),
      })
    } catch (error) {
      return errorAnswer(c, error)
    }
  })

  app.post("/api/signout", (c) => {
    deps.sessions.end(getCookie(c, SESSION_COOKIE))
    setCookie(c, SESSION_COOKIE, "", { httpOnly: true, sameSite: "Strict", path: "/", maxAge: 0 })
    return c.json({ result: { signedOut: true } })
  })

  app.get("/api/events", (c) =>
    streamSSE(c, async (stream) => {
      const queue: Array<Parameters<BridgeListener>[0]> = []
      let wake = () => {}
      const stop = deps.bridge.listen((event) => {
        queue.push(event)
        wake()
      })
      let open = true
      stream.onAbort(() => {
        open = false
        wake()
      })
      const heartbeat = setInterval(() => wake(), HEARTBEAT_MS)
      try {
        await stream.writeSSE({ event: "daemon", data: JSON.stringify({ type: "daemon", connected: deps.bridge.connected }) })
        while (open) {
          if (queue.length === 0) {
            await new Promise<void>((resolve) => (wake = resolve))
            if (queue.length === 0 && open) await stream.write(": keep-alive\n\n")
          }
          for (const event of queue.splice(0)) await stream.writeSSE({ event: "lanvault", data: JSON.stringify(event) })
        }
      } finally {
        clearInterval(heartbeat)
        stop()
      }
    }),
  )

  app.get("*", (c) => {
    const asset = deps.assets.get(c.req.path)
    if (asset === undefined) return c.text("not found", 404)
    return c.body(new Uint8Array(asset.body), 200, { "Content-Type": asset.type })
  })
  return app
}

/** A daemon error for the page: its stable code and message (messages never carry secrets). */
function errorAnswer(c: Context, error: unknown): Response {
  const code = (error as { code?: unknown }).code
  const data = (error as { data?: unknown }).data
  if (!isErrorCode(code)) return c.json({ error: { code: "INTERNAL", message: "the app server failed; see the daemon's log" } }, 500)
  const status = code === "DAEMON_NOT_RUNNING" ? 503 : code === "NOT_ALLOWED" ? 403 : 400
  return c.json({ error: { code, message: (error as Error).message, data } }, status)
}
