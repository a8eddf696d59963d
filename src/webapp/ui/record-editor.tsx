import { useEffect, useState } from "preact/hooks"
import { call, type FieldKind, type FieldValue, type VaultRecord } from "./api.js"
import { FieldEditor, type DraftField } from "./field-editor.js"
import { RECORD_TYPES } from "./records-view.js"

interface Draft {
  title: string
  type: string
  tags: string
  favorite: boolean
  notes: string
  fields: DraftField[]
}

const NEW_LOGIN: Draft = {
  title: "", type: "login", tags: "", favorite: false, notes: "",
  fields: [{ key: 1, name: "username", kind: "text", value: "" }, { key: 2, name: "password", kind: "secret", value: "" }, { key: 3, name: "url", kind: "url", value: "" }],
}

/** Add (no `id`) or edit a record: title, type, fields with a generator and strength meter, tags, favourite, notes. */
export function RecordEditor(props: { id?: string; onDone: (id?: string) => void }) {
  const [draft, setDraft] = useState<Draft | undefined>(props.id ? undefined : NEW_LOGIN)
  const [original, setOriginal] = useState<VaultRecord | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (!props.id) return
    call<VaultRecord>("records.get", { id: props.id }).then((record) => {
      setOriginal(record)
      setDraft({
        title: record.title, type: record.type, tags: record.tags.join(", "), favorite: record.favorite, notes: record.notes,
        fields: Object.entries(record.fields).map(([name, f], i) => ({ key: i + 1, name, kind: f.kind, value: f.value })),
      })
    }, (e: Error) => setError(e.message))
  }, [props.id])

  if (!draft) return error ? <p role="alert" class="error">{error}</p> : <p role="status">Opening…</p>
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch })
  const setField = (key: number, patch: Partial<DraftField> | undefined) =>
    set({ fields: patch === undefined ? draft.fields.filter((f) => f.key !== key) : draft.fields.map((f) => (f.key === key ? { ...f, ...patch } : f)) })
  const addField = () => set({ fields: [...draft.fields, { key: Math.max(0, ...draft.fields.map((f) => f.key)) + 1, name: "", kind: "text" as FieldKind, value: "" }] })

  const save = async (event: Event) => {
    event.preventDefault()
    const fields: Record<string, FieldValue> = {}
    for (const f of draft.fields) if (f.name.trim()) fields[f.name.trim()] = { value: f.value, kind: f.kind }
    const tags = draft.tags.split(",").map((t) => t.trim()).filter(Boolean)
    const common = { title: draft.title.trim(), type: draft.type, tags, favorite: draft.favorite, notes: draft.notes, fields }
    setBusy(true)
    try {
      if (props.id && original) {
        const unset = Object.keys(original.fields).filter((name) => !(name in fields))
        await call("records.update", { id: props.id, set: common, ...(unset.length ? { unset } : {}) })
        props.onDone(props.id)
      } else {
        const { id } = await call<{ id: string }>("records.create", { record: common })
        props.onDone(id)
      }
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="editor" onSubmit={(e) => void save(e)} aria-label={props.id ? "Edit record" : "New record"}>
      <h2>{props.id ? "Edit record" : "New record"}</h2>
      <label>Title <input value={draft.title} required onInput={(e) => set({ title: e.currentTarget.value })} /></label>
      <label>Record type
        <select value={draft.type} onChange={(e) => set({ type: e.currentTarget.value })}>
          {[...new Set([...RECORD_TYPES, draft.type])].map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </label>
      <fieldset>
        <legend>Fields</legend>
        {draft.fields.map((field) => <FieldEditor key={field.key} field={field} context={[draft.title]} onChange={(patch) => setField(field.key, patch)} />)}
        <button type="button" onClick={addField}>Add field</button>
      </fieldset>
      <label>Tags (comma separated) <input value={draft.tags} onInput={(e) => set({ tags: e.currentTarget.value })} /></label>
      <label class="inline"><input type="checkbox" checked={draft.favorite} onChange={(e) => set({ favorite: e.currentTarget.checked })} /> Favourite</label>
      <label>Notes <textarea rows={4} value={draft.notes} onInput={(e) => set({ notes: e.currentTarget.value })} /></label>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="actions">
        <button type="submit" disabled={busy}>Save</button>
        <button type="button" onClick={() => props.onDone(props.id)}>Cancel</button>
      </div>
    </form>
  )
}
