import type { LiveEvent, StatusResult } from "./api.js"
import { overallProgress, type SyncProgress } from "./sync-progress.js"

/** What the page knows about sync, from the daemon's events (never by polling). */
export interface SyncState {
  streamOpen: boolean
  daemon: boolean
  /** Syncs running now, by device (see sync-progress.ts). */
  progress: SyncProgress
  lastReceivedAt?: number
}

/** Peers connected now, a progress bar while a sync is running, and when the last change arrived. */
export function SyncStatus(props: { status: StatusResult; sync: SyncState; lastEvent: LiveEvent | undefined }) {
  const connected = props.status.peers.filter((peer) => peer.state === "idle" || peer.state === "syncing").length
  const { lastReceivedAt } = props.sync
  const progress = overallProgress(props.sync.progress)
  return (
    <section class="sync" aria-label="Sync">
      <span role="status" aria-live="polite">
        {!props.sync.daemon ? "Daemon not reachable" : `${connected} device${connected === 1 ? "" : "s"} connected`}
      </span>
      {progress !== undefined && (
        <progress aria-label="First sync" max={progress.total} value={progress.done}>
          {progress.done}/{progress.total}
        </progress>
      )}
      {lastReceivedAt !== undefined && <span class="muted">Last change received {new Date(lastReceivedAt).toLocaleTimeString()}</span>}
      {!props.sync.streamOpen && <span class="muted">(live updates reconnecting)</span>}
    </section>
  )
}
