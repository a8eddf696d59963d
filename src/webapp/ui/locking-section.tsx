import { useState } from "preact/hooks"
import { call, type StatusResult } from "./api.js"

/** The daemon accepts 0 (never) to a week. */
const MAX_AUTO_LOCK_MINUTES = 7 * 24 * 60

interface UnlockAnswer {
  remembered?: { usesLeft: number; expiresAt: number }
  notRemembered?: string
}

/** Settings' "Locking": the auto-lock minutes (`settings.autoLock`) and quick unlock on (unlock with `remember`) or off (`quickUnlock.forget`). */
export function LockingSection(props: { status: StatusResult; onChanged: () => void }) {
  const [minutes, setMinutes] = useState(String(props.status.autoLockMinutes))
  const [password, setPassword] = useState("")
  const [notice, setNotice] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)

  const run = async (work: () => Promise<string>) => {
    setError(undefined)
    try {
      setNotice(await work())
      props.onChanged()
    } catch (e) {
      setNotice("")
      setError((e as Error).message)
    }
  }

  const saveAutoLock = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      const { autoLockMinutes } = await call<{ autoLockMinutes: number }>("settings.autoLock", { minutes: Number(minutes) })
      return autoLockMinutes > 0 ? `The vault now locks after ${autoLockMinutes} minutes without activity` : "The vault no longer locks by itself"
    })
  }

  const turnOn = (event: Event) => {
    event.preventDefault()
    void run(async () => {
      // The password is checked again even though the vault is open; the daemon keeps a quick unlock in the OS keychain.
      const answer = await call<UnlockAnswer>("unlock", { password, remember: true })
      setPassword("")
      if (answer.notRemembered !== undefined) throw new Error(`Quick unlock could not be turned on: ${answer.notRemembered}`)
      return "Quick unlock is on: the next unlocks on this device need no password"
    })
  }

  const turnOff = () => void run(async () => {
    await call("quickUnlock.forget")
    return "Quick unlock is off: the next unlock needs the password"
  })

  const quick = props.status.quickUnlock
  const current = props.status.autoLockMinutes
  return (
    <section aria-labelledby="lock-title">
      <h3 id="lock-title">Locking</h3>
      <p>{current > 0 ? `The vault locks after ${current} minutes without activity.` : "The vault never locks by itself."}</p>
      <form class="inline" onSubmit={saveAutoLock}>
        <label>
          Auto-lock after (minutes, 0 = never){" "}
          <input type="number" min={0} max={MAX_AUTO_LOCK_MINUTES} step={1} required value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
        </label>
        <button type="submit">Save auto-lock</button>
      </form>
      <p>
        Quick unlock: {quick ? `on (${quick.usesLeft} uses left, until ${new Date(quick.expiresAt).toLocaleDateString()})` : "off"}.
      </p>
      {quick ? (
        <button type="button" onClick={turnOff}>Turn off quick unlock</button>
      ) : (
        <form class="inline" onSubmit={turnOn}>
          <label>
            Password to turn quick unlock on{" "}
            <input type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          <button type="submit">Turn on quick unlock</button>
        </form>
      )}
      <p role="status" aria-live="polite" class="notice">{notice}</p>
      {error && <p role="alert" class="error">{error}</p>}
    </section>
  )
}
