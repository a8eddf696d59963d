/** The first-sync bar's arithmetic, apart from the page so it can be tested without a browser. */
import type { EventParams } from "../../api/protocol.js"

/** The events it reads (api.ts's LiveEvent; named here so this file needs no DOM types). */
export type ProgressEvent = EventParams | { type: "daemon"; connected: boolean }

/** Syncs still running, by the device they come from ("" when the daemon did not say), or `serve:` and the device served. */
export type SyncProgress = Readonly<Record<string, { done: number; total: number }>>

/**
 * The running syncs after one event: `sync.progress` starts or moves a device's sync (received
 * from it or served to it, two bars) and ends it when done reaches total; a device that disconnects mid-sync, or the daemon
 * link going away, ends its bar too (no bar stays stuck at a half).
 */
export function nextSyncProgress(state: SyncProgress, event: ProgressEvent): SyncProgress {
  if (event.type === "sync.progress") {
    const key = event.phase === "serve" ? `serve:${event.deviceId ?? ""}` : event.deviceId ?? ""
    const rest = without(state, key)
    return event.done < event.total ? { ...rest, [key]: { done: event.done, total: event.total } } : rest
  }
  if (event.type === "peer.disconnected") return without(without(state, event.deviceId), `serve:${event.deviceId}`)
  if (event.type === "daemon" && !event.connected) return {}
  return state
}

/** All running syncs as one bar (entries received or served of those expected), or undefined when none runs. */
export function overallProgress(state: SyncProgress): { done: number; total: number } | undefined {
  const running = Object.values(state)
  if (running.length === 0) return undefined
  return running.reduce((sum, p) => ({ done: sum.done + p.done, total: sum.total + p.total }), { done: 0, total: 0 })
}

function without(state: SyncProgress, key: string): SyncProgress {
  if (!Object.hasOwn(state, key)) return state
  const copy = { ...state }
  delete copy[key]
  return copy
}
