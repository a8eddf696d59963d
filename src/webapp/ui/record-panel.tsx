import { useEffect, useState } from "preact/hooks"
import { call, type HistoryEntry, type VaultRecord } from "./api.js"
import { CLEAR_AFTER_MS, copyAndClear } from "./clipboard.js"
import { FieldValueView } from "./field-value.js"
import { HistoryTable } from "./history-table.js"

/** One record: its fields (secrets hidden until revealed, each with a copy button), history, trash and restore. */
export function RecordPanel(props: { id: string; revision: number; onEdit: () => void; onGone: () => void }) {
  const [record, setRecord] = useState<VaultRecord | undefined>(undefined)
  const [history, setHistory] = useState<HistoryEntry[] | undefined>(undefined)
  const [notice, setNotice] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)

  useEffect(() => {
    let live = true
    call<VaultRecord>("records.get", { id: props.id })
      .then((r) => {
        if (!live) return
        setRecord(r)
        setError(undefined)
        performance.mark("lanvault:record-opened")
      })
      .catch((e: Error & { code?: string }) => (e.code === "NOT_FOUND" ? props.onGone() : setError(e.message)))
    if (history !== undefined) void loadHistory()
    return () => {
      live = false
    }
  }, [props.id, props.revision])

  const loadHistory = async () => setHistory(await call<HistoryEntry[]>("records.history", { id: props.id }))

  const copy = async (name: string, value: string) => {
    try {
      await copyAndClear(value)
      setNotice(`Copied ${name}; the clipboard clears in ${CLEAR_AFTER_MS / 1000} s`)
    } catch {
      setNotice(`Could not copy ${name}: the browser refused the clipboard`)
    }
  }

  const trash = async (trashed: boolean) => {
    if (trashed) await call("records.delete", { id: props.id })
    else await call("records.update", { id: props.id, set: { trashed: false } })
  }

  if (error) return <p role="alert" class="error">{error}</p>
  if (!record) return <p role="status">Opening…</p>
  const fields = Object.entries(record.fields)
  return (
    <article class="record" aria-labelledby="record-title">
      <header>
        <h2 id="record-title">{record.title}</h2>
        <p class="muted">
          {record.type}
          {record.favorite ? " · ★ favourite" : ""}
          {record.trashed ? " · in the trash" : ""}
          {record.tags.length > 0 ? ` · tags: ${record.tags.join(", ")}` : ""}
        </p>
        <div class="actions">
          <button type="button" onClick={props.onEdit}>Edit</button>
          <button type="button" aria-expanded={history !== undefined} onClick={() => (history ? setHistory(undefined) : void loadHistory())}>History</button>
          {record.trashed ? (
            <button type="button" onClick={() => void trash(false)}>Restore</button>
          ) : (
            <button type="button" onClick={() => void trash(true)}>Move to trash</button>
          )}
        </div>
      </header>
      <dl class="fields">
        {fields.length === 0 && <p class="muted">No fields</p>}
        {fields.map(([name, field]) => (
          <div class="field" key={name}>
            <dt>{name}</dt>
            <dd>
              <FieldValueView recordId={record.id} name={name} field={field} onCopy={(value) => void copy(name, value)} />
            </dd>
          </div>
        ))}
      </dl>
      {record.notes && (
        <section aria-label="Notes">
          <h3>Notes</h3>
          <p class="notes">{record.notes}</p>
        </section>
      )}
      <p role="status" aria-live="polite" class="notice">{notice}</p>
      {history && <HistoryTable entries={history} />}
      <p class="muted small">
        Created {new Date(record.createdAt).toLocaleString()} · changed {new Date(record.updatedAt).toLocaleString()}
      </p>
    </article>
  )
}
