import { useEffect, useState } from "preact/hooks"
import { call, type LiveEvent } from "./api.js"

/** How long the pairing window stays open when opened from the app. */
const PAIRING_WINDOW_S = 120

/** Opens this device's pairing window and shows the 6-digit code to compare with the new device's screen. */
export function PairingPanel(props: { subscribe: (listener: (event: LiveEvent) => void) => () => void }) {
  const [until, setUntil] = useState<number | undefined>(undefined)
  const [paired, setPaired] = useState<{ name: string; code: string } | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)

  useEffect(
    () =>
      props.subscribe((event) => {
        if (event.type !== "device.paired") return
        setPaired({ name: event.name, code: event.code })
        setUntil(undefined)
      }),
    [props.subscribe],
  )

  const open = async () => {
    setError(undefined)
    setPaired(undefined)
    try {
      const result = await call<{ until: number }>("pairing.open", { seconds: PAIRING_WINDOW_S })
      setUntil(result.until)
    } catch (e) {
      setError((e as Error).message)
    }
  }

  const close = async () => {
    await call("pairing.close")
    setUntil(undefined)
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
      {paired && (
        <div role="alert" class="paired">
          <p>
            {paired.name} joined. Check that it shows the same code:
          </p>
          <p class="code" aria-label="Pairing code">{paired.code.replace(/^(\d{3})(\d{3})$/, "$1 $2")}</p>
        </div>
      )}
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  )
}
