import { useEffect, useState } from "preact/hooks"
import { call, type FieldKind } from "./api.js"

const KINDS: FieldKind[] = ["text", "secret", "url", "email", "phone", "totp", "number", "date"]
/** Typing pauses this long before the daemon is asked how strong the value is. */
const STRENGTH_DEBOUNCE_MS = 200
/** Length of a generated password (the daemon's generator, as `lanvault generate`). */
const GENERATED_LENGTH = 20
const STRENGTH_WORDS = ["too guessable", "very guessable", "somewhat guessable", "safely unguessable", "very unguessable"]

interface Strength {
  score: number
  label: string
  warning?: string
}

/** A field being edited; `key` keeps its row stable while its name changes. */
export interface DraftField {
  key: number
  name: string
  kind: FieldKind
  value: string
}

/** One field row: name, kind, value (hidden for secrets), and for secrets a generator and a strength meter. */
export function FieldEditor(props: { field: DraftField; context: string[]; onChange: (patch: Partial<DraftField> | undefined) => void }) {
  const { field } = props
  const [shown, setShown] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const label = field.name || "new field"
  const secret = field.kind === "secret"
  const strength = useStrength(secret ? field.value : undefined, props.context)
  const generate = async () => {
    try {
      props.onChange({ value: (await call<{ value: string }>("generate", { length: GENERATED_LENGTH })).value })
    } catch (e) {
      setError((e as Error).message)
    }
  }
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
          <button type="button" onClick={() => void generate()}>{`Generate ${label}`}</button>
          <meter aria-label={`Strength of ${label}`} aria-valuetext={strength.label} min={0} max={4} low={2} high={3} optimum={4} value={strength.score} />
          <span class="muted" aria-hidden="true">{strength.label}</span>
          {strength.warning && <span class="muted small">{strength.warning}</span>}
        </>
      )}
      {error && <span role="alert" class="error">{error}</span>}
      <button type="button" onClick={() => props.onChange(undefined)}>{`Remove field ${label}`}</button>
    </div>
  )
}

/** The daemon's strength estimate (zxcvbn) of `secret`, asked again once typing pauses. */
function useStrength(secret: string | undefined, context: string[]): Strength {
  const [strength, setStrength] = useState<Strength>({ score: 0, label: "empty" })
  const contextKey = context.join("\u0000")
  useEffect(() => {
    if (secret === undefined) return
    if (secret === "") {
      setStrength({ score: 0, label: "empty" })
      return
    }
    let live = true
    const timer = setTimeout(() => {
      call<{ score: number; warning?: string }>("strength", { secret, context })
        .then((report) => live && setStrength({ score: report.score, label: STRENGTH_WORDS[report.score] ?? String(report.score), warning: report.warning }))
        .catch(() => live && setStrength({ score: 0, label: "unknown" }))
    }, STRENGTH_DEBOUNCE_MS)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [secret, contextKey])
  return strength
}
