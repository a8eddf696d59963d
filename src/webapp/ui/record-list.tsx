import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks"
import type { RecordSummary } from "./api.js"

/** Height of one row in pixels (app.css `.row` matches it). */
export const ROW_HEIGHT_PX = 44
/** Rows rendered above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN_ROWS = 8

/**
 * The records as a listbox that renders only the rows in view: 10k records cost
 * the same DOM as 30. Arrow keys, Page Up/Down, Home and End move; Enter opens.
 */
export function RecordList(props: { records: RecordSummary[]; selectedId: string | undefined; onOpen: (id: string) => void }) {
  const { records } = props
  const box = useRef<HTMLDivElement>(null)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(600)
  const [active, setActive] = useState(0)

  useLayoutEffect(() => {
    const element = box.current
    if (!element) return
    const observer = new ResizeObserver(() => setHeight(element.clientHeight))
    observer.observe(element)
    setHeight(element.clientHeight)
    return () => observer.disconnect()
  }, [])

  useEffect(() => {
    if (active >= records.length) setActive(Math.max(0, records.length - 1))
  }, [records.length, active])

  useEffect(() => {
    performance.mark("lanvault:list-rendered")
  }, [records])

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(records.length - 1, index))
    setActive(next)
    const element = box.current
    if (!element) return
    const top = next * ROW_HEIGHT_PX
    if (top < element.scrollTop) element.scrollTop = top
    else if (top + ROW_HEIGHT_PX > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT_PX - element.clientHeight
    setScrollTop(element.scrollTop)
  }

  const onKeyDown = (event: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT_PX) - 1)
    const moves: Record<string, number> = { ArrowDown: active + 1, ArrowUp: active - 1, PageDown: active + page, PageUp: active - page, Home: 0, End: records.length - 1 }
    if (event.key in moves) {
      event.preventDefault()
      moveTo(moves[event.key])
    } else if ((event.key === "Enter" || event.key === " ") && records[active]) {
      event.preventDefault()
      props.onOpen(records[active].id)
    }
  }

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT_PX) - OVERSCAN_ROWS)
  const last = Math.min(records.length, Math.ceil((scrollTop + height) / ROW_HEIGHT_PX) + OVERSCAN_ROWS)
  const visible = records.slice(first, last)
  const activeRecord = records[active]

  return (
    <div
      ref={box}
      class="list"
      role="listbox"
      aria-label="Records"
      tabIndex={0}
      aria-activedescendant={activeRecord ? rowId(activeRecord.id) : undefined}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
    >
      {records.length === 0 && <p class="empty">No records</p>}
      <div class="spacer" style={{ height: `${records.length * ROW_HEIGHT_PX}px` }}>
        {visible.map((record, i) => {
          const index = first + i
          return (
            <div
              key={record.id}
              id={rowId(record.id)}
              role="option"
              aria-selected={record.id === props.selectedId}
              aria-setsize={records.length}
              aria-posinset={index + 1}
              class={`row${index === active ? " active" : ""}`}
              style={{ transform: `translateY(${index * ROW_HEIGHT_PX}px)` }}
              onClick={() => {
                setActive(index)
                props.onOpen(record.id)
              }}
            >
              <span class="title">{record.title}</span>
              <span class="meta" aria-hidden="true">
                {record.favorite ? "★ " : ""}
                {subtitle(record)}
              </span>
            </div>
          )
        })}
      </div>
    </div>
  )
}

function rowId(id: string): string {
  return `record-${id}`
}

/** The username or URL people recognise a login by, else the type. */
function subtitle(record: RecordSummary): string {
  for (const name of ["username", "email", "url"]) {
    const value = record.fields[name]?.value
    if (value) return value
  }
  return record.type
}
