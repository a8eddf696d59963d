import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { accessSync, constants } from "node:fs"
import { delimiter, join } from "node:path"
import { LanvaultError } from "../errors.js"

/** How long a clipboard tool may take to take or hand over the value. */
const TOOL_TIMEOUT_MS = 5_000

/** One clipboard program: how to write (value on stdin), read and clear with it. */
export interface ClipboardTool {
  name: string
  copy: string[]
  paste: string[]
  /** How to empty the clipboard; default: copy an empty value. */
  clear?: string[]
}

/** What `copy` hands to the detached clearer (clipboard-clearer.ts) on its stdin. */
export interface ClearRequest {
  tool: ClipboardTool
  afterMs: number
  /** Hex SHA-256 of the copied value. */
  sha256: string
}

/** SHA-256 of a clipboard value, as the clearer compares it. */
export function clipboardDigest(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex")
}

/** The tools in the order tried, by session kind (issue 13). */
const WAYLAND: ClipboardTool[] = [{ name: "wl-copy", copy: ["wl-copy"], paste: ["wl-paste", "--no-newline"], clear: ["wl-copy", "--clear"] }]
const X11: ClipboardTool[] = [
  { name: "xclip", copy: ["xclip", "-selection", "clipboard", "-in"], paste: ["xclip", "-selection", "clipboard", "-out"] },
  { name: "xsel", copy: ["xsel", "--clipboard", "--input"], paste: ["xsel", "--clipboard", "--output"], clear: ["xsel", "--clipboard", "--clear"] },
]
const MACOS: ClipboardTool[] = [{ name: "pbcopy", copy: ["pbcopy"], paste: ["pbpaste"] }]
const WINDOWS: ClipboardTool[] = [{ name: "clip", copy: ["clip"], paste: ["powershell", "-NoProfile", "-Command", "Get-Clipboard"] }]

/**
 * The clipboard tool for this session: pbcopy on macOS, clip on Windows; on
 * other systems wl-copy under Wayland, else xclip or xsel under X11. Throws
 * CLIPBOARD_UNAVAILABLE naming what to install when none is there.
 */
export function findClipboardTool(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): ClipboardTool {
  const candidates = platform === "darwin" ? MACOS : platform === "win32" ? WINDOWS : [...(env.WAYLAND_DISPLAY ? WAYLAND : []), ...(env.DISPLAY ? X11 : [])]
  if (candidates.length === 0) {
    throw new LanvaultError("CLIPBOARD_UNAVAILABLE", "no graphical session here (neither DISPLAY nor WAYLAND_DISPLAY is set), so there is no clipboard: use `lanvault get QUERY --field password` instead")
  }
  const found = candidates.find((tool) => onPath(tool.copy[0], env, platform) && onPath(tool.paste[0], env, platform))
  if (found) return found
  const install = platform === "darwin" || platform === "win32" ? candidates[0].name : [env.WAYLAND_DISPLAY ? "wl-clipboard (for wl-copy)" : "", env.DISPLAY ? "xclip or xsel" : ""].filter(Boolean).join(", or ")
  throw new LanvaultError("CLIPBOARD_UNAVAILABLE", `no clipboard tool found on PATH: install ${install} (e.g. \`sudo apt install xclip\`)`)
}

/** Puts `value` on the clipboard with `tool`; the value goes on the tool's stdin, never argv. */
export async function copyWith(tool: ClipboardTool, value: string, env: NodeJS.ProcessEnv): Promise<void> {
  await run(tool.copy, env, value)
}

/** What the clipboard holds now ("" when empty or not text). */
export async function pasteWith(tool: ClipboardTool, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    return await run(tool.paste, env)
  } catch {
    // xclip -out fails when the clipboard holds nothing: that is an empty clipboard.
    return ""
  }
}

/** Empties the clipboard. */
export async function clearWith(tool: ClipboardTool, env: NodeJS.ProcessEnv): Promise<void> {
  if (tool.clear) await run(tool.clear, env)
  else await run(tool.copy, env, "")
}

/**
 * Runs a clipboard tool and resolves with its stdout when it exits 0. A copy
 * waits for the exit, not for the pipes to close: xclip and wl-copy leave a child
 * behind that owns the selection and keeps the inherited pipes open.
 */
function run(argv: string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ["pipe", input === undefined ? "pipe" : "ignore", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    const timer = setTimeout(() => child.kill("SIGKILL"), TOOL_TIMEOUT_MS)
    const fail = (why: string) => reject(new LanvaultError("CLIPBOARD_UNAVAILABLE", `${argv[0]} failed: ${why}`))
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      fail(error.code ?? error.message)
    })
    // A reader ends with its pipes ("close"); a writer may leave a selection owner holding them, so "exit".
    child.once(input === undefined ? "close" : "exit", (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer)
      child.stdout?.destroy()
      child.stderr?.destroy()
      if (code === 0) resolve(stdout)
      else fail(signal ? `killed by ${signal}` : `exit ${code}${stderr.trim() ? `: ${stderr.trim().split("\n")[0]}` : ""}`)
    })
    child.stdin?.on("error", () => {})
    child.stdin?.end(input ?? "")
  })
}

function onPath(command: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  const extensions = platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""]
  for (const dir of (env.PATH ?? "").split(platform === "win32" ? ";" : delimiter)) {
    if (dir === "") continue
    for (const extension of extensions) {
      try {
        accessSync(join(dir, command + extension), platform === "win32" ? constants.F_OK : constants.X_OK)
        return true
      } catch {
        // not here
      }
    }
  }
  return false
}
