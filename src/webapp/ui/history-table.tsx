import { useState } from "preact/hooks"
import type { HistoryEntry } from "./api.js"
import { HIDDEN_KINDS } from "./field-value.js"

const REASONS: Record<HistoryEntry["reason"], string> = {
  edited: "edited",
  removed: "removed",
  conflict: "lost a concurrent edit",
}

/** A history entry as the daemon answers: with the name of the device that made the value, when known. */
export type NamedHistoryEntry = HistoryEntry & { deviceName?: string }

/** Every earlier and every conflicting value of a record, newest first, and the device that made it; secret ones hidden until revealed. */
export function HistoryTable(props: { entries: NamedHistoryEntry[] }) {
  const entries = [...props.entries].sort((a, b) => b.changedAt - a.changedAt)
  return (
    <section aria-label="History">
      <h3>History</h3>
      {entries.length === 0 ? (
        <p class="muted">No earlier values</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">Field</th><th scope="col">Earlier value</th><th scope="col">Why</th><th scope="col">Made by</th><th scope="col">When</th></tr>
          </thead>
          <tbody>
            {entries.map((entry, i) => <HistoryRow key={`${entry.field}-${entry.changedAt}-${i}`} entry={entry} />)}
          </tbody>
        </table>
      )}
    </section>
  )
}

function HistoryRow(props: { entry: NamedHistoryEntry }) {
  const { entry } = props
  const [revealed, setRevealed] = useState(false)
  const secret = HIDDEN_KINDS.has(entry.kind)
  const when = new Date(entry.changedAt).toLocaleString()
  return (
    <tr>
      <td>{entry.field}</td>
      <td>
        {secret && !revealed ? "••••••••" : entry.value}{" "}
        {secret && (
          <button
            type="button"
            aria-pressed={revealed}
            aria-label={revealed ? `Hide earlier ${entry.field} from ${when}` : `Reveal earlier ${entry.field} from ${when}`}
            onClick={() => setRevealed(!revealed)}
          >
            {revealed ? "Hide" : "Reveal"}
          </button>
        )}
      </td>
      <td>{REASONS[entry.reason] ?? entry.reason}</td>
      <td>{entry.deviceName ?? (entry.deviceId ? `device ${entry.deviceId.slice(0, 8)}` : <span class="muted">not known</span>)}</td>
      <td>{when}</td>
    </tr>
  )
}
