import { createHash } from "node:crypto"
import { homedir } from "node:os"
import { join, resolve } from "node:path"

/** Where this device keeps its vault: `--home`, else LANVAULT_HOME, else the platform's data dir. */
export function resolveHome(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag)
  if (env.LANVAULT_HOME) return resolve(env.LANVAULT_HOME)
  if (process.platform === "win32") return join(env.LOCALAPPDATA ?? join(homedir(), "AppData", "Local"), "lanvault")
  if (process.platform === "darwin") return join(homedir(), "Library", "Application Support", "lanvault")
  return join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "lanvault")
}

/** The daemon's socket: LANVAULT_SOCKET, else `<home>/lanvault.sock`; a named pipe on Windows. */
export function socketPathFor(home: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.LANVAULT_SOCKET) return resolve(env.LANVAULT_SOCKET)
  if (process.platform === "win32") {
    return `\\\\.\\pipe\\lanvault-${createHash("sha256").update(home).digest("hex").slice(0, 16)}`
  }
  return join(home, "lanvault.sock")
}

/** Files of a home. */
export function homePaths(home: string) {
  return {
    home,
    database: join(home, "vault.db"),
    accountKey: join(home, "account.key"),
    /** A new account key between its keyset's transaction and the rename over account.key (crash safety). */
    accountKeyNext: join(home, "account.key.next"),
    /** Keysets from peers not adopted (see AsideKeysets): 0600, never inside vault.db. */
    asideKeysets: join(home, "keysets.aside"),
    lock: join(home, "daemon.lock"),
    log: join(home, "daemon.log"),
  }
}
