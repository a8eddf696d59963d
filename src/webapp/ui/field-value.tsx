import { useEffect, useState } from "preact/hooks"
import type { FieldValue } from "./api.js"
import { totpNow } from "./totp.js"

/** Kinds whose value is hidden until the person reveals it. */
export const HIDDEN_KINDS = new Set(["secret", "totp"])

/** One field's value: hidden with a Reveal toggle for secrets, a live code for TOTP, always a Copy button. */
export function FieldValueView(props: { name: string; field: FieldValue; onCopy: (value: string) => void }) {
  const { name, field } = props
  const [revealed, setRevealed] = useState(false)
  const hidden = HIDDEN_KINDS.has(field.kind) && !revealed
  return (
    <span class="value">
      {field.kind === "totp" && <TotpCode name={name} secret={field.value} onCopy={props.onCopy} />}
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

/** The current one-time code, the seconds it has left, and a button to copy it. */
function TotpCode(props: { name: string; secret: string; onCopy: (value: string) => void }) {
  const [now, setNow] = useState(Date.now())
  const [code, setCode] = useState<{ code: string; remaining: number } | undefined>(undefined)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  useEffect(() => {
    totpNow(props.secret, now).then(setCode, () => setCode(undefined))
  }, [props.secret, Math.floor(now / 1000)])
  if (!code) return <span class="muted">(not a TOTP secret)</span>
  return (
    <span class="totp">
      <span aria-label={`${props.name} code`}>{code.code.replace(/^(\d{3})(\d{3})$/, "$1 $2")}</span>
      <meter aria-label={`Seconds left for the ${props.name} code`} min={0} max={30} value={code.remaining}>{code.remaining}</meter>
      <span class="muted">{code.remaining} s</span>
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
