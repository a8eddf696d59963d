import { useState } from "preact/hooks"
import { exportFile, type ExportedFile } from "./api.js"

const FORMATS: Array<[string, string]> = [
  ["json", "lanvault JSON (everything, with history)"],
  ["csv", "lanvault CSV"],
  ["bitwarden-json", "Bitwarden JSON"],
  ["kdbx", "KeePass database (.kdbx, encrypted)"],
]

/** The File System Access API's save dialog (Chromium); where it is missing the page downloads instead. */
interface SavePicker {
  showSaveFilePicker?: (options: { suggestedName: string }) => Promise<{ createWritable(): Promise<{ write(data: Blob): Promise<void>; close(): Promise<void> }> }>
}

/** Settings' "Export": choose a format, then download the file or save it where you choose. */
export function ExportSection() {
  const [format, setFormat] = useState("json")
  const [password, setPassword] = useState("")
  const [notice, setNotice] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)
  const kdbx = format === "kdbx"
  const picker = (globalThis as unknown as SavePicker).showSaveFilePicker

  const run = async (deliver: (file: ExportedFile) => Promise<string | undefined>) => {
    setError(undefined)
    setNotice("Exporting…")
    try {
      const file = await exportFile(format, kdbx ? password : undefined)
      const where = await deliver(file)
      setNotice(where === undefined ? "" : `Exported ${file.exported} record${file.exported === 1 ? "" : "s"} to ${where}${kdbx ? "" : ". It is not encrypted: delete it once it has served"}`)
    } catch (e) {
      setNotice("")
      if ((e as Error).name !== "AbortError") setError((e as Error).message)
    }
  }

  const download = () => void run(async (file) => {
    const url = URL.createObjectURL(file.blob)
    const link = document.createElement("a")
    link.href = url
    link.download = file.fileName
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
    return `${file.fileName} (your browser's downloads)`
  })

  const saveAs = () => void run(async (file) => {
    const handle = await picker!({ suggestedName: file.fileName })
    const writable = await handle.createWritable()
    await writable.write(file.blob)
    await writable.close()
    return "the file you chose"
  })

  return (
    <section aria-labelledby="export-title">
      <h3 id="export-title">Export</h3>
      <div class="inline">
        <label>
          Export format{" "}
          <select value={format} onChange={(e) => setFormat(e.currentTarget.value)}>
            {FORMATS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
        {kdbx && (
          <label>
            Password for the KeePass file{" "}
            <input type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
        )}
      </div>
      <div class="actions">
        <button type="button" disabled={kdbx && password === ""} onClick={download}>Download export</button>
        {picker && <button type="button" disabled={kdbx && password === ""} onClick={saveAs}>Save export as…</button>}
      </div>
      <p role="status" aria-live="polite" class="notice">{notice}</p>
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  )
}
