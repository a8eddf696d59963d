import { useCallback, useEffect, useState } from "preact/hooks"
import { call } from "./api.js"

interface FolderInfo {
  path: string
  addedAt: number
  lastSyncAt?: number
  error?: string
}

/** Settings' "Sync folders": the folders this device syncs through, add one by its path, stop syncing one. */
export function FoldersSection() {
  const [folders, setFolders] = useState<FolderInfo[]>([])
  const [path, setPath] = useState("")
  const [notice, setNotice] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)

  const load = useCallback(async () => setFolders(await call<FolderInfo[]>("folders.list")), [])
  useEffect(() => {
    load().catch((e: Error) => setError(e.message))
  }, [load])

  const run = async (work: () => Promise<string>) => {
    setError(undefined)
    try {
      setNotice(await work())
      await load()
    } catch (e) {
      setNotice("")
      setError((e as Error).message)
    }
  }

  const add = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      const added = await call<FolderInfo>("folders.add", { path: path.trim() })
      setPath("")
      return `Syncing through ${added.path}`
    })
  }
  const remove = (folder: string) => void run(async () => {
    await call("folders.remove", { path: folder })
    return `Stopped syncing through ${folder} (the files there stay)`
  })

  return (
    <section aria-labelledby="folders-title">
      <h3 id="folders-title">Sync folders</h3>
      <p class="muted small">A folder another tool carries between devices (Dropbox, a NAS, a USB stick): this device writes its encrypted, signed log there and reads the others'.</p>
      {folders.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <table aria-labelledby="folders-title">
          <thead><tr><th scope="col">Folder</th><th scope="col">Last sync</th><th scope="col">Problem</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
          <tbody>
            {folders.map((f) => (
              <tr key={f.path}>
                <td>{f.path}</td>
                <td>{f.lastSyncAt ? new Date(f.lastSyncAt).toLocaleString() : "not yet"}</td>
                <td>{f.error ?? ""}</td>
                <td><button type="button" aria-label={`Stop syncing ${f.path}`} onClick={() => remove(f.path)}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline" onSubmit={add}>
        <label>
          Folder path{" "}
          <input type="text" required placeholder="/home/me/Dropbox" value={path} onInput={(e) => setPath(e.currentTarget.value)} />
        </label>
        <button type="submit">Add folder</button>
      </form>
      <p role="status" aria-live="polite" class="notice">{notice}</p>
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  )
}
