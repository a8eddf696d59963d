import { useEffect, useState } from "preact/hooks"
import { call, type LiveEvent } from "./api.js"

/** How long the pairing window stays open when opened from the app. */
const PAIRING_WINDOW_S = 120

type Waiting = { name: string; code: string }

/** "123456" as a person reads it: "123 456". */
function spaced(code: string): string {
  return code.replace(/^(\d{3})(\d{3})$/, "$1 $2")
}

/**
 * Opens this device's pairing window; when a new device shows its code, asks
 * whether both screens match and confirms only on yes (nothing is shared before).
 */
export function PairingPanel(props: { subscribe: (listener: (event: LiveEvent) => void) => () => void }) {
  const [until, setUntil] = useState<number | undefined>(undefined)
  const [waiting, setWaiting] = useState<Waiting | undefined>(undefined)
  const [outcome, setOutcome] = useState<{ paired: boolean; name: string; code?: string; reason?: string } | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)

  useEffect(
    () =>
      props.subscribe((event) => {
        if (event.type === "pairing.code") setWaiting({ name: event.name, code: event.code })
        if (event.type === "device.paired") {
          setWaiting(undefined)
          setOutcome({ paired: true, name: event.name, code: event.code })
          setUntil(undefined)
        }
        if (event.type === "pairing.declined") {
          setWaiting(undefined)
          setOutcome({ paired: false, name: event.name, reason: event.reason })
        }
      }),
    [props.subscribe],
  )

  const open = async () => {
    setError(undefined)
    setOutcome(undefined)
    try {
      const result = await call<{ until: number }>("pairing.open", { seconds: PAIRING_WINDOW_S })
      setUntil(result.until)
      const status = await call<{ pending?: Waiting }>("pairing.status")
      if (status.pending) setWaiting({ name: status.pending.name, code: status.pending.code })
    } catch (e) {
      setError((e as Error).message)
    }
  }

  const close = async () => {
    await call("pairing.close")
    setUntil(undefined)
  }

  const answer = async (accept: boolean) => {
    if (!waiting) return
    setError(undefined)
    try {
      await call("pairing.confirm", accept ? { accept, code: waiting.code } : { accept })
      if (!accept) setUntil(undefined)
    } catch (e) {
      setError((e as Error).message)
    }
  }

  return (
    <section class="pairing" aria-labelledby="pairing-title">
      <h3 id="pairing-title">Pair a new device</h3>
      {until === undefined ? (
        <button type="button" onClick={() => void open()}>Open pairing window</button>
      ) : (
        <div role="status" aria-live="polite">
          <p>
            The pairing window is open until {new Date(until).toLocaleTimeString()}. On the new device run <code>lanvault join</code> and type the account key.
          </p>
          <button type="button" onClick={() => void close()}>Close pairing window</button>
        </div>
      )}
      {waiting && (
        <div role="alertdialog" aria-label="Confirm the new device" class="paired">
          <p>{waiting.name} wants to join. Does the new device show this code?</p>
          <p class="code" aria-label="Pairing code">{spaced(waiting.code)}</p>
          <button type="button" onClick={() => void answer(true)}>Yes, it matches</button>
          <button type="button" onClick={() => void answer(false)}>No</button>
        </div>
      )}
      {outcome && (
        <p role="alert" class={outcome.paired ? "paired" : "error"}>
          {outcome.paired
            ? `${outcome.name} joined (code ${spaced(outcome.code ?? "")}).`
            : `${outcome.name} was not added (${outcome.reason}): nothing was shared with it.`}
        </p>
      )}
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  )
}
