import { useEffect, useRef, useState } from "preact/hooks"
import { call } from "./api.js"

/** How long the approval window the button opens stays open. */
const ALLOW_SECONDS = 120
/** How often the page looks for a new association while the window is open. */
const POLL_MS = 1000

interface BrowserStatus {
  enabled: boolean
  listening: boolean
  socket: string
  allowUntil?: number
}

interface Association {
  name: string
  createdAt: number
}

/**
 * Settings' "Browser extension" section (issue 16): whether the browser socket is on, and
 * "Allow a browser to connect", which opens the daemon's approval window without waiting on
 * it, then watches `browser.list` until a new association appears or the window closes.
 */
export function BrowserSection() {
  const [status, setStatus] = useState<BrowserStatus | undefined>(undefined)
  const [until, setUntil] = useState<number | undefined>(undefined)
  const [now, setNow] = useState(Date.now())
  const [connected, setConnected] = useState<string | undefined>(undefined)
  const [message, setMessage] = useState("")
  const known = useRef<Set<string>>(new Set())

  useEffect(() => {
    call<BrowserStatus>("browser.status").then(setStatus, (e: Error) => setMessage(e.message))
  }, [])

  useEffect(() => {
    if (until === undefined) return
    let stopped = false
    const timer = setInterval(() => {
      setNow(Date.now())
      void call<Association[]>("browser.list").then(
        (list) => {
          if (stopped) return
          const fresh = list.find((a) => !known.current.has(a.name))
          if (fresh) {
            setConnected(fresh.name)
            setUntil(undefined)
          } else if (Date.now() >= until) {
            setMessage("No browser connected before the window closed")
            setUntil(undefined)
          }
        },
        (e: Error) => {
          if (!stopped) setMessage(e.message)
        },
      )
    }, POLL_MS)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [until])

  const allow = async () => {
    setMessage("")
    setConnected(undefined)
    try {
      known.current = new Set((await call<Association[]>("browser.list")).map((a) => a.name))
      const opened = await call<{ until: number }>("browser.allow", { seconds: ALLOW_SECONDS, wait: false })
      setNow(Date.now())
      setUntil(opened.until)
    } catch (e) {
      setMessage((e as Error).message)
    }
  }

  return (
    <section aria-labelledby="browser-title">
      <h3 id="browser-title">Browser extension</h3>
      {status === undefined ? (
        <p class="muted">…</p>
      ) : status.enabled ? (
        <p>Browser integration is on{status.listening ? "" : " (not listening yet)"}: KeePassXC-Browser connects through <code>{status.socket}</code>.</p>
      ) : (
        <p class="muted">Browser integration is off (turn it on with <code>lanvault browser enable</code>).</p>
      )}
      {status?.enabled && (
        <button type="button" disabled={until !== undefined} onClick={() => void allow()}>Allow a browser to connect</button>
      )}
      <p role="status" aria-live="polite">
        {until !== undefined
          ? `Waiting for a browser to connect… (closes in ${Math.max(0, Math.ceil((until - now) / 1000))} s)`
          : connected !== undefined
            ? `Connected: ${connected}`
            : message}
      </p>
    </section>
  )
}
