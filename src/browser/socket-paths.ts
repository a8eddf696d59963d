import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"

const SERVER_NAME = "org.keepassxc.KeePassXC.BrowserServer"
/** The directory newer keepassxc-proxy builds (2.7+) connect in, so sandboxes can mount it. */
const APP_DIR = join("app", "org.keepassxc.KeePassXC")

/** Where the browser socket listens, and the legacy path older proxies try (a symlink to it). */
export interface BrowserSocketPaths {
  socket: string
  legacyLink?: string
}

/**
 * The paths keepassxc-proxy connects to (KeePassXC's BrowserShared::localServerPath):
 * Linux `$XDG_RUNTIME_DIR/app/org.keepassxc.KeePassXC/<name>` with a link at
 * `$XDG_RUNTIME_DIR/<name>` (Qt's fallback runtime dir is `/tmp/runtime-$USER`);
 * macOS `$TMPDIR/<name>`; Windows the pipe `<name>_$USERNAME`.
 */
export function browserSocketPaths(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): BrowserSocketPaths {
  if (platform === "win32") return { socket: `\\\\.\\pipe\\${SERVER_NAME}_${env.USERNAME ?? userInfo().username}` }
  if (platform === "darwin") return { socket: join(env.TMPDIR || tmpdir(), SERVER_NAME) }
  const runtime = env.XDG_RUNTIME_DIR || join("/tmp", `runtime-${userInfo().username}`)
  return { socket: join(runtime, APP_DIR, SERVER_NAME), legacyLink: join(runtime, SERVER_NAME) }
}
