import { useEffect, useRef, useState } from "preact/hooks"
import { call, type StatusResult } from "./api.js"

/** The locked screen: the account password, and why an attempt failed. */
export function UnlockView(props: { status: StatusResult; onUnlocked: () => void | Promise<void>; browserAsked?: boolean; notice?: string }) {
  const [password, setPassword] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.focus(), [])

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      performance.mark("lanvault:unlock-sent")
      await call("unlock", { password })
      performance.mark("lanvault:unlock-done")
      setPassword("")
      await props.onUnlocked()
    } catch (e) {
      setError((e as Error).message)
      input.current?.select()
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="center">
      <h1>lanvault</h1>
      <p>
        This device: <strong>{props.status.deviceName}</strong>. The vault is locked.
      </p>
      {props.notice && <p role="status">{props.notice}</p>}
      {props.browserAsked && <p role="status">Your browser extension asks for the vault: unlock it here.</p>}
      <form onSubmit={(e) => void submit(e)} class="unlock">
        <label for="password">Account password</label>
        <input id="password" ref={input} type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
        <button type="submit" disabled={busy}>{busy ? "Unlocking…" : "Unlock"}</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
    </main>
  )
}
