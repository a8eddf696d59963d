import { execFileSync, spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const START_TIMEOUT_MS = 20_000
const LOGIN_COLLECTION = "/org/freedesktop/secrets/collection/login"

/** A private D-Bus session with a real gnome-keyring (Secret Service), as a desktop login has. */
export interface KeyringSession {
  /** Environment that points a process at this session's bus. */
  env: Record<string, string>
  /** Locks the login keyring, as a screen lock or `secret-tool lock` would: reading it then needs a prompt nobody answers. */
  lock(): void
  stop(): Promise<void>
}

/**
 * Starts `dbus-run-session` with `gnome-keyring-daemon --unlock` (its login
 * keyring created and unlocked with a throwaway password) in a private HOME,
 * and keeps it until {@link KeyringSession.stop}. Works as root with no desktop
 * (CI): packages dbus, gnome-keyring.
 */
export async function startKeyringSession(): Promise<KeyringSession> {
  const home = mkdtempSync(join(tmpdir(), "lv-keyring-"))
  const script = 'eval "$(printf "%s\\n" "$KEYRING_LOGIN" | gnome-keyring-daemon --unlock --components=secrets)" && echo "BUS=$DBUS_SESSION_BUS_ADDRESS" && exec sleep 3600'
  const child: ChildProcess = spawn("dbus-run-session", ["--", "bash", "-c", script], {
    env: { PATH: process.env.PATH, HOME: home, KEYRING_LOGIN: "keyring-login-password" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  })
  let output = ""
  const bus = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gnome-keyring did not start: ${output}`)), START_TIMEOUT_MS)
    child.on("error", (error) => reject(new Error(`cannot run dbus-run-session (install dbus and gnome-keyring): ${error.message}`)))
    child.on("exit", (code) => reject(new Error(`dbus-run-session exited with ${code}: ${output}`)))
    child.stderr!.on("data", (chunk) => (output += chunk))
    child.stdout!.on("data", (chunk) => {
      output += chunk
      const match = output.match(/^BUS=(\S+)$/m)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
  })
  const env = { DBUS_SESSION_BUS_ADDRESS: bus }
  return {
    env,
    lock() {
      execFileSync("dbus-send", ["--session", "--dest=org.freedesktop.secrets", "--print-reply", "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.Lock", `array:objpath:${LOGIN_COLLECTION}`], { env: { PATH: process.env.PATH, ...env }, stdio: "ignore" })
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve))
      // The whole group this helper started: dbus-run-session, its bus, the keyring daemon, sleep.
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGTERM")
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))])
      rmSync(home, { recursive: true, force: true })
    },
  }
}
