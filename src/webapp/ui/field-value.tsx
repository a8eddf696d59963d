import { useEffect, useState } from "preact/hooks"
import { call, type FieldValue } from "./api.js"

/** Kinds whose value is hidden until the person reveals it. */
export const HIDDEN_KINDS = new Set(["secret", "totp"])

/** One field's value: hidden with a Reveal toggle for secrets, a live code for TOTP, always a Copy button. */
export function FieldValueView(props: { recordId: string; name: string; field: FieldValue; onCopy: (value: string) => void }) {
  const { name, field } = props
  const [revealed, setRevealed] = useState(false)
  const hidden = HIDDEN_KINDS.has(field.kind) && !revealed
  return (
    <span class="value">
      {field.kind === "totp" && <TotpCode recordId={props.recordId} name={name} secret={field.value} onCopy={props.onCopy} />}
      <span class={hidden ? "masked" : "plain"} aria-label={hidden ? `${name} hidden` : undefined}>
        {hidden ? "••••••••••" : field.kind === "url" ? <a href={safeUrl(field.value)} target="_blank" rel="noreferrer noopener">{field.value}</a> : field.value}
      </span>
      {HIDDEN_KINDS.has(field.kind) && (
        <button type="button" aria-pressed={revealed} onClick={() => setRevealed(!revealed)}>
          {revealed ? `Hide ${name}` : `Reveal ${name}`}
        </button>
      )}
      <button type="button" onClick={() => props.onCopy(field.value)}>{`Copy ${name}`}</button>
    </span>
  )
}

/** The current one-time code (from the daemon, fetched again when it expires), the seconds it has left, and a copy button. */
function TotpCode(props: { recordId: string; name: string; secret: string; onCopy: (value: string) => void }) {
  const [code, setCode] = useState<{ code: string; expiresAt: number; period: number } | undefined>(undefined)
  const [failed, setFailed] = useState(false)
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  const expired = code === undefined || now >= code.expiresAt
  useEffect(() => {
    if (!expired || failed) return
    let live = true
    call<{ code: string; secondsLeft: number; period: number }>("totp", { id: props.recordId, field: props.name }).then(
      (r) => live && setCode({ code: r.code, expiresAt: Date.now() + r.secondsLeft * 1000, period: r.period }),
      () => live && setFailed(true),
    )
    return () => {
      live = false
    }
  }, [expired, failed, props.recordId, props.name, props.secret])
  if (failed) return <span class="muted">(not a TOTP secret)</span>
  if (!code) return null
  // `now` may predate the fetch by up to a tick: never show more than the period.
  const remaining = Math.min(code.period, Math.max(0, Math.ceil((code.expiresAt - now) / 1000)))
  return (
    <span class="totp">
      <span aria-label={`${props.name} code`}>{code.code.replace(/^(\d{3})(\d{3})$/, "$1 $2")}</span>
      <meter aria-label={`Seconds left for the ${props.name} code`} min={0} max={code.period} value={remaining}>{remaining}</meter>
      <span class="muted">{remaining} s</span>
      <button type="button" onClick={() => props.onCopy(code.code)}>{`Copy ${props.name} code`}</button>
    </span>
  )
}

/** Only http(s) links become clickable; anything else (javascript:…) is not a link. */
function safeUrl(value: string): string | undefined {
  try {
    const url = new URL(value.includes("://") ? value : `https://${value}`)
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined
  } catch {
    return undefined
  }
}
