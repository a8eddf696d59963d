import { useState } from "preact/hooks"
import type { FieldKind } from "./api.js"
import { estimateStrength, generatePassword } from "./password-tools.js"

const KINDS: FieldKind[] = ["text", "secret", "url", "email", "phone", "totp", "number", "date"]

/** A field being edited; `key` keeps its row stable while its name changes. */
export interface DraftField {
  key: number
  name: string
  kind: FieldKind
  value: string
}

/** One field row: name, kind, value (hidden for secrets), and for secrets a generator and a strength meter. */
export function FieldEditor(props: { field: DraftField; onChange: (patch: Partial<DraftField> | undefined) => void }) {
  const { field } = props
  const [shown, setShown] = useState(false)
  const label = field.name || "new field"
  const secret = field.kind === "secret"
  const strength = secret ? estimateStrength(field.value) : undefined
  return (
    <div class="field-editor" role="group" aria-label={`Field ${label}`}>
      <input aria-label={`Name of field ${label}`} value={field.name} placeholder="name" onInput={(e) => props.onChange({ name: e.currentTarget.value })} />
      <select aria-label={`Kind of field ${label}`} value={field.kind} onChange={(e) => props.onChange({ kind: e.currentTarget.value as FieldKind })}>
        {KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
      </select>
      {secret && !shown ? (
        <input aria-label={`Value of ${label}`} type="password" autocomplete="new-password" value={field.value} onInput={(e) => props.onChange({ value: e.currentTarget.value })} />
      ) : (
        <input aria-label={`Value of ${label}`} type="text" autocomplete="off" spellcheck={false} value={field.value} onInput={(e) => props.onChange({ value: e.currentTarget.value })} />
      )}
      {secret && (
        <>
          <button type="button" aria-pressed={shown} onClick={() => setShown(!shown)}>{shown ? `Hide ${label}` : `Show ${label}`}</button>
          <button type="button" onClick={() => props.onChange({ value: generatePassword() })}>{`Generate ${label}`}</button>
          <meter aria-label={`Strength of ${label}`} aria-valuetext={strength!.label} min={0} max={4} low={2} high={3} optimum={4} value={strength!.score} />
          <span class="muted" aria-hidden="true">{strength!.label}</span>
        </>
      )}
      <button type="button" onClick={() => props.onChange(undefined)}>{`Remove field ${label}`}</button>
    </div>
  )
}
