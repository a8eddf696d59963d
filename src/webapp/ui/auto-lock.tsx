import { useEffect, useState } from "preact/hooks"
import { lastActivityAt } from "./api.js"

/** The countdown turns into a warning this long before the vault locks. */
const WARN_BEFORE_MS = 60_000

/**
 * When the daemon will lock the vault for inactivity, as far as this window knows
 * (its own calls are activity; other apps' calls only push the moment later).
 */
export function AutoLock(props: { minutes: number }) {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  if (props.minutes <= 0) return <span class="autolock">Auto-lock off</span>
  const leftMs = Math.max(0, lastActivityAt() + props.minutes * 60_000 - now)
  const text = `Auto-lock in ${Math.floor(leftMs / 60_000)}:${String(Math.floor((leftMs % 60_000) / 1000)).padStart(2, "0")}`
  return (
    <span class={leftMs < WARN_BEFORE_MS ? "autolock soon" : "autolock"} title={`The daemon locks the vault after ${props.minutes} min without activity`} role={leftMs < WARN_BEFORE_MS ? "alert" : undefined}>
      {text}
    </span>
  )
}
