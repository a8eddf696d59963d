import { useCallback, useEffect, useRef, useState } from "preact/hooks"
import { AutoLock } from "./auto-lock.js"
import { call, listen, type LiveEvent, type StatusResult } from "./api.js"
import { DevicesView } from "./devices-view.js"
import { RecordsView } from "./records-view.js"
import { SettingsView } from "./settings-view.js"
import { nextSyncProgress } from "./sync-progress.js"
import { SyncStatus, type SyncState } from "./sync-status.js"
import { UnlockView } from "./unlock-view.js"

type Tab = "records" | "devices" | "settings"

/** The whole window: unlock screen, or the tabs (records, devices) with the sync status bar. */
export function App() {
  const [status, setStatus] = useState<StatusResult | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [tab, setTab] = useState<Tab>("records")
  const [sync, setSync] = useState<SyncState>({ streamOpen: false, daemon: true, progress: {} })
  const [lastEvent, setLastEvent] = useState<LiveEvent | undefined>(undefined)
  const [unlockRequested, setUnlockRequested] = useState(false)
  /** Why the vault locked, when the window made it lock (a backup restored): shown on the password screen. */
  const [lockNotice, setLockNotice] = useState<string | undefined>(undefined)
  const eventListeners = useRef(new Set<(event: LiveEvent) => void>())

  const refreshStatus = useCallback(async () => {
    try {
      setStatus(await call<StatusResult>("status"))
      setError(undefined)
    } catch (e) {
      setError((e as Error).message)
    }
  }, [])

  useEffect(() => {
    void refreshStatus()
    return listen(
      (event) => {
        setLastEvent(event)
        for (const listener of eventListeners.current) listener(event)
        if (event.type === "locked" || event.type === "unlocked" || event.type === "peer.connected" || event.type === "peer.disconnected") void refreshStatus()
        if (event.type === "daemon") {
          setSync((s) => ({ ...s, daemon: event.connected }))
          if (event.connected) void refreshStatus()
        }
        if (event.type === "browser.unlockRequested") setUnlockRequested(true)
        if (event.type === "unlocked") {
          setUnlockRequested(false)
          setLockNotice(undefined)
        }
        if (event.type === "sync.progress" || event.type === "peer.disconnected" || event.type === "daemon") {
          setSync((s) => ({ ...s, progress: nextSyncProgress(s.progress, event) }))
        }
        if (event.type === "record.changed" && event.origin === "remote") setSync((s) => ({ ...s, lastReceivedAt: Date.now() }))
      },
      (open) => setSync((s) => ({ ...s, streamOpen: open })),
    )
  }, [refreshStatus])

  const subscribe = useCallback((listener: (event: LiveEvent) => void) => {
    eventListeners.current.add(listener)
    return () => {
      eventListeners.current.delete(listener)
    }
  }, [])

  const lock = async () => {
    await call("lock")
    await refreshStatus()
  }

  if (status === undefined) {
    return (
      <main class="center">
        <h1>lanvault</h1>
        <p role={error ? "alert" : "status"}>{error ?? "Connecting to the lanvault daemon…"}</p>
      </main>
    )
  }
  if (status.locked) return <UnlockView status={status} onUnlocked={refreshStatus} browserAsked={unlockRequested} notice={lockNotice} />
  return (
    <div class="shell">
      <header class="topbar">
        <h1 class="brand">lanvault</h1>
        <nav aria-label="Sections">
          <button type="button" aria-pressed={tab === "records"} onClick={() => setTab("records")}>Records</button>
          <button type="button" aria-pressed={tab === "devices"} onClick={() => setTab("devices")}>Devices</button>
          <button type="button" aria-pressed={tab === "settings"} onClick={() => setTab("settings")}>Settings</button>
        </nav>
        <SyncStatus status={status} sync={sync} lastEvent={lastEvent} />
        <AutoLock minutes={status.autoLockMinutes} />
        <button type="button" onClick={() => void lock()}>Lock</button>
      </header>
      {tab === "records" && <RecordsView subscribe={subscribe} />}
      {tab === "devices" && <DevicesView subscribe={subscribe} status={status} />}
      {tab === "settings" && <SettingsView status={status} onChanged={refreshStatus} onLockedBy={setLockNotice} />}
    </div>
  )
}
