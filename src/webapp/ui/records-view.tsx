import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks"
import { call, type LiveEvent, type RecordSummary } from "./api.js"
import { RecordEditor } from "./record-editor.js"
import { RecordList } from "./record-list.js"
import { RecordPanel } from "./record-panel.js"

/** Record types offered in the filter and the editor (others are shown as they are). */
export const RECORD_TYPES = ["login", "card", "note", "identity", "wifi", "ssh-key", "document"]
/** Typing pauses this long before the list is asked again. */
const SEARCH_DEBOUNCE_MS = 120

interface Filter {
  query: string
  type: string
  tag: string
  favorites: boolean
  trash: boolean
}

type Pane = { kind: "none" } | { kind: "view"; id: string } | { kind: "edit"; id: string } | { kind: "new" }

/** Search and filters, the virtualised list, and the open record (view or editor). */
export function RecordsView(props: { subscribe: (listener: (event: LiveEvent) => void) => () => void }) {
  const [filter, setFilter] = useState<Filter>({ query: "", type: "", tag: "", favorites: false, trash: false })
  const [records, setRecords] = useState<RecordSummary[]>([])
  const [pane, setPane] = useState<Pane>({ kind: "none" })
  const [revision, setRevision] = useState(0)
  const [error, setError] = useState<string | undefined>(undefined)
  const [allTags, setAllTags] = useState<string[]>([])
  const generation = useRef(0)

  const load = useCallback(async (f: Filter) => {
    const mine = ++generation.current
    performance.mark("lanvault:list-requested")
    try {
      const params: Record<string, unknown> = { trash: f.trash }
      if (f.query) params.query = f.query
      if (f.type) params.type = f.type
      if (f.tag) params.tag = f.tag
      const list = await call<RecordSummary[]>("records.list", params)
      if (mine !== generation.current) return
      performance.mark("lanvault:list-received")
      list.sort((a, b) => a.title.localeCompare(b.title))
      setRecords(f.favorites ? list.filter((r) => r.favorite) : list)
      if (!f.query && !f.type && !f.tag) setAllTags([...new Set(list.flatMap((r) => r.tags))].sort())
      setError(undefined)
    } catch (e) {
      setError((e as Error).message)
    }
  }, [])

  useEffect(() => {
    const timer = setTimeout(() => void load(filter), filter.query ? SEARCH_DEBOUNCE_MS : 0)
    return () => clearTimeout(timer)
  }, [filter, load, revision])

  useEffect(
    () =>
      props.subscribe((event) => {
        // A change here or on another device: ask again (coalesced by the debounce above).
        if (event.type === "record.changed" || event.type === "unlocked") setRevision((r) => r + 1)
      }),
    [props.subscribe],
  )

  const set = (patch: Partial<Filter>) => setFilter((f) => ({ ...f, ...patch }))
  const count = useMemo(() => `${records.length} record${records.length === 1 ? "" : "s"}`, [records])
  const selectedId = pane.kind === "view" || pane.kind === "edit" ? pane.id : undefined

  return (
    <div class="records">
      <section class="sidebar" aria-label="Record list">
        <div class="filters">
          <input type="search" aria-label="Search records" placeholder="Search" value={filter.query} onInput={(e) => set({ query: e.currentTarget.value })} />
          <select aria-label="Type" value={filter.type} onChange={(e) => set({ type: e.currentTarget.value })}>
            <option value="">All types</option>
            {RECORD_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
          <select aria-label="Tag" value={filter.tag} onChange={(e) => set({ tag: e.currentTarget.value })}>
            <option value="">All tags</option>
            {allTags.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
          <label><input type="checkbox" checked={filter.favorites} onChange={(e) => set({ favorites: e.currentTarget.checked })} /> Favourites only</label>
          <label><input type="checkbox" checked={filter.trash} onChange={(e) => set({ trash: e.currentTarget.checked })} /> Trash</label>
          <button type="button" onClick={() => setPane({ kind: "new" })}>New record</button>
        </div>
        <p class="count" role="status" aria-live="polite">{count}</p>
        {error && <p role="alert" class="error">{error}</p>}
        <RecordList records={records} selectedId={selectedId} onOpen={(id) => setPane({ kind: "view", id })} />
      </section>
      <section class="detail" aria-label="Record">
        {pane.kind === "none" && <p class="muted">Choose a record, or add one with “New record”.</p>}
        {pane.kind === "view" && <RecordPanel key={pane.id} id={pane.id} revision={revision} onEdit={() => setPane({ kind: "edit", id: pane.id })} onGone={() => setPane({ kind: "none" })} />}
        {pane.kind === "edit" && <RecordEditor key={`edit-${pane.id}`} id={pane.id} onDone={(id) => setPane(id ? { kind: "view", id } : { kind: "view", id: pane.id })} />}
        {pane.kind === "new" && <RecordEditor key="new" onDone={(id) => setPane(id ? { kind: "view", id } : { kind: "none" })} />}
      </section>
    </div>
  )
}
