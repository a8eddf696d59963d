import type { LiveEvent, StatusResult } from "./api.js"

/** What the page knows about sync, from the daemon's events (never by polling). */
export interface SyncState {
  streamOpen: boolean
  daemon: boolean
  progress?: { done: number; total: number }
  lastReceivedAt?: number
}

/** Peers connected now, a progress bar while a sync is running, and when the last change arrived. */
export function SyncStatus(props: { status: StatusResult; sync: SyncState; lastEvent: LiveEvent | undefined }) {
  const connected = props.status.peers.filter((peer) => peer.state === "idle" || peer.state === "syncing").length
  const { progress, lastReceivedAt } = props.sync
  const syncing = progress !== undefined && progress.done < progress.total
  return (
    <section class="sync" aria-label="Sync">
      <span role="status" aria-live="polite">
        {!props.sync.daemon ? "Daemon not reachable" : `${connected} device${connected === 1 ? "" : "s"} connected`}
      </span>
      {syncing && (
        <progress aria-label="First sync" max={progress.total} value={progress.done}>
          {progress.done}/{progress.total}
        </progress>
      )}
      {lastReceivedAt !== undefined && <span class="muted">Last change received {new Date(lastReceivedAt).toLocaleTimeString()}</span>}
      {!props.sync.streamOpen && <span class="muted">(live updates reconnecting)</span>}
    </section>
  )
}
