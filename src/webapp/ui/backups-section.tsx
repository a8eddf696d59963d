import { useCallback, useEffect, useState } from "preact/hooks"
import { call } from "./api.js"

interface BackupInfo {
  path: string
  createdAt: number
  entries: number
  bytes: number
}

/** Settings' "Encrypted backups": the list, "Back up now", and restoring one (merge, or replace with the backup's vault). */
export function BackupsSection(props: { onLockedBy: (message: string) => void }) {
  const [backups, setBackups] = useState<BackupInfo[]>([])
  const [restoring, setRestoring] = useState<BackupInfo | undefined>(undefined)
  const [password, setPassword] = useState("")
  const [replace, setReplace] = useState(false)
  const [notice, setNotice] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)

  const load = useCallback(async () => {
    const list = await call<BackupInfo[]>("backup.list")
    setBackups([...list].sort((x, y) => y.createdAt - x.createdAt))
  }, [])
  useEffect(() => {
    load().catch((e: Error) => setError(e.message))
  }, [load])

  const run = async (work: () => Promise<string>) => {
    setError(undefined)
    try {
      setNotice(await work())
    } catch (e) {
      setNotice("")
      setError((e as Error).message)
    }
  }

  const backUp = () => void run(async () => {
    const made = await call<BackupInfo>("backup.create")
    await load()
    return `Backup written: ${made.entries} entries`
  })

  const restore = async (event: Event) => {
    event.preventDefault()
    const chosen = restoring
    if (!chosen) return
    setError(undefined)
    setNotice("Restoring…")
    // The daemon locks the vault first, so the window shows the password screen: the outcome is told there.
    try {
      const result = await call<{ restoredEntries: number; replaced: boolean }>("backup.restore", { path: chosen.path, password, replace })
      props.onLockedBy(`Restored ${result.restoredEntries} entries from the backup of ${when(chosen)}${result.replaced ? ", replacing this device's vault" : ""}. Unlock to go on.`)
    } catch (e) {
      props.onLockedBy(`The backup of ${when(chosen)} was not restored: ${(e as Error).message}`)
      setNotice("")
      setError((e as Error).message)
    }
  }

  const when = (b: BackupInfo) => new Date(b.createdAt).toLocaleString()
  return (
    <section aria-labelledby="backups-title">
      <h3 id="backups-title">Encrypted backups</h3>
      <button type="button" onClick={backUp}>Back up now</button>
      {backups.length === 0 ? (
        <p class="muted">No backup yet.</p>
      ) : (
        <table aria-labelledby="backups-title">
          <thead><tr><th scope="col">Made</th><th scope="col">Entries</th><th scope="col">Size</th><th scope="col">File</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
          <tbody>
            {backups.map((b) => (
              <tr key={b.path}>
                <td>{when(b)}</td><td>{b.entries}</td><td>{Math.ceil(b.bytes / 1024)} KiB</td><td>{b.path}</td>
                <td><button type="button" aria-label={`Restore the backup of ${when(b)}`} onClick={() => setRestoring(b)}>Restore…</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {restoring && (
        <form class="restore" aria-label="Restore a backup" onSubmit={(e) => void restore(e)}>
          <p>Restore the backup of {when(restoring)} ({restoring.entries} entries). The vault locks while it is restored.</p>
          <label>
            Password when the backup was made{" "}
            <input type="password" autocomplete="off" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          <label class="inline">
            <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.currentTarget.checked)} /> Replace this device's vault with the backup (else its entries are merged in)
          </label>
          <div class="actions">
            <button type="submit">Restore backup</button>
            <button type="button" onClick={() => setRestoring(undefined)}>Cancel</button>
          </div>
        </form>
      )}
      <p role="status" aria-live="polite" class="notice">{notice}</p>
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  )
}
