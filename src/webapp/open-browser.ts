import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** How long the redirect file stays on disk: long enough for a browser to start and read it. */
const REDIRECT_FILE_LIFETIME_MS = 60_000

/**
 * Opens `url` in the person's browser without putting its token on a command line
 * (another local user can read any process's argv): the browser is given a 0600 file
 * that redirects to the URL, removed a minute later. Best effort: returns false when no opener exists.
 */
export function openInBrowser(url: string, platform: NodeJS.Platform = process.platform): boolean {
  const dir = mkdtempSync(join(tmpdir(), "lanvault-app-"))
  const file = join(dir, "open.html")
  const escaped = url.replace(/&/g, "&amp;").replace(/"/g, "&quot;")
  writeFileSync(file, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${escaped}"><title>lanvault</title><a href="${escaped}">Open lanvault</a>\n`, { mode: 0o600 })
  setTimeout(() => rmSync(dir, { recursive: true, force: true }), REDIRECT_FILE_LIFETIME_MS).unref()
  const [command, args] = platform === "darwin" ? ["open", [file]] : platform === "win32" ? ["cmd", ["/c", "start", "", file]] : ["xdg-open", [file]]
  try {
    const child = spawn(command, args, { stdio: "ignore", detached: true })
    child.on("error", () => {})
    child.unref()
    return true
  } catch {
    return false
  }
}
