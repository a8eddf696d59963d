import { useState } from "preact/hooks"
import { importFile } from "./api.js"

/** Import from another password manager: drop its export here, or choose it (the daemon detects the format). */
export function ImportDrop() {
  const [notice, setNotice] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)
  const [over, setOver] = useState(false)

  const take = async (file: File | undefined) => {
    if (!file) return
    setError(undefined)
    setNotice(`Importing ${file.name}…`)
    try {
      const result = await importFile(file)
      setNotice(`Imported ${result.imported} record${result.imported === 1 ? "" : "s"} (${result.format})${result.skipped.length ? `, ${result.skipped.length} skipped` : ""}`)
    } catch (e) {
      setNotice("")
      setError((e as Error).message)
    }
  }

  return (
    <section aria-labelledby="import-title">
      <h3 id="import-title">Import</h3>
      <div
        class={over ? "drop over" : "drop"}
        onDragOver={(e) => {
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault()
          setOver(false)
          void take(e.dataTransfer?.files[0])
        }}
      >
        <p>Drop an export of Bitwarden, KeePassXC, 1Password, Chrome, Apple or lanvault here, or</p>
        <label>
          Choose a file to import <input type="file" onChange={(e) => void take(e.currentTarget.files?.[0])} />
        </label>
        <p class="muted small">The file is read by this device's daemon and not kept. Delete the export afterwards: it is not encrypted.</p>
      </div>
      <p role="status" aria-live="polite">{notice}</p>
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  )
}
