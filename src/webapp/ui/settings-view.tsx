import { useCallback, useEffect, useState } from "preact/hooks"
import { call, type StatusResult } from "./api.js"
import { BrowserSection } from "./browser-section.js"
import { ImportDrop } from "./import-drop.js"

interface FolderInfo {
  path: string
  addedAt: number
  lastSyncAt?: number
  error?: string
}

interface BackupInfo {
  path: string
  createdAt: number
  entries: number
  bytes: number
}

/** Sync folders, the browser extension, encrypted backups (with "Back up now"), auto-lock and quick unlock, as the daemon reports them. */
export function SettingsView(props: { status: StatusResult; onChanged: () => void }) {
  const [folders, setFolders] = useState<FolderInfo[]>([])
  const [backups, setBackups] = useState<BackupInfo[]>([])
  const [error, setError] = useState<string | undefined>(undefined)
  const [notice, setNotice] = useState("")

  const load = useCallback(async () => {
    try {
      const [f, b] = await Promise.all([call<FolderInfo[]>("folders.list"), call<BackupInfo[]>("backup.list")])
      setFolders(f)
      setBackups([...b].sort((x, y) => y.createdAt - x.createdAt))
      setError(undefined)
    } catch (e) {
      setError((e as Error).message)
    }
  }, [])
  useEffect(() => void load(), [load])

  const backUp = async () => {
    try {
      const made = await call<BackupInfo>("backup.create")
      setNotice(`Backup written: ${made.entries} entries`)
      await load()
    } catch (e) {
      setError((e as Error).message)
    }
  }

  const forgetQuickUnlock = async () => {
    await call("quickUnlock.forget")
    setNotice("Quick unlock forgotten: the next unlock needs the password")
    props.onChanged()
  }

  const quick = props.status.quickUnlock
  return (
    <main class="settings">
      <h2>Settings</h2>
      {error && <p role="alert" class="error">{error}</p>}
      <p role="status" aria-live="polite" class="notice">{notice}</p>
      <section aria-labelledby="lock-title">
        <h3 id="lock-title">Locking</h3>
        <p>
          {props.status.autoLockMinutes > 0 ? `The vault locks after ${props.status.autoLockMinutes} minutes without activity` : "The vault never locks by itself"} (set with <code>lanvault daemon --auto-lock MINUTES</code>).
        </p>
        <p>
          Quick unlock: {quick ? `remembered on this device (${quick.usesLeft} uses left, until ${new Date(quick.expiresAt).toLocaleDateString()})` : "off"} (<code>lanvault unlock --remember</code>).{" "}
          {quick && <button type="button" onClick={() => void forgetQuickUnlock()}>Forget quick unlock</button>}
        </p>
      </section>
      <section aria-labelledby="folders-title">
        <h3 id="folders-title">Sync folders</h3>
        {folders.length === 0 ? (
          <p class="muted">None (add one with <code>lanvault folder add PATH</code>).</p>
        ) : (
          <table aria-labelledby="folders-title">
            <thead><tr><th scope="col">Folder</th><th scope="col">Last sync</th><th scope="col">Problem</th></tr></thead>
            <tbody>
              {folders.map((f) => (
                <tr key={f.path}><td>{f.path}</td><td>{f.lastSyncAt ? new Date(f.lastSyncAt).toLocaleString() : "not yet"}</td><td>{f.error ?? ""}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <BrowserSection />
      <ImportDrop />
      <section aria-labelledby="backups-title">
        <h3 id="backups-title">Encrypted backups</h3>
        <button type="button" onClick={() => void backUp()}>Back up now</button>
        {backups.length === 0 ? (
          <p class="muted">No backup yet.</p>
        ) : (
          <table aria-labelledby="backups-title">
            <thead><tr><th scope="col">Made</th><th scope="col">Entries</th><th scope="col">Size</th><th scope="col">File</th></tr></thead>
            <tbody>
              {backups.map((b) => (
                <tr key={b.path}><td>{new Date(b.createdAt).toLocaleString()}</td><td>{b.entries}</td><td>{Math.ceil(b.bytes / 1024)} KiB</td><td>{b.path}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  )
}
