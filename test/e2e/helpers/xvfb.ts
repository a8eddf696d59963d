import { spawn, type ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"

/** A private X server (Xvfb) on its own display, for clipboard tests; stop() ends it. */
export interface XServer {
  display: string
  stop: () => Promise<void>
}

/**
 * Starts `Xvfb :N` on the first free display from 90 (its lock file and socket
 * tell which are taken) and waits for its socket. Fails with a clear message
 * when Xvfb is not installed (Debian package `xvfb`, installed by .ci/run).
 */
export async function startXvfb(): Promise<XServer> {
  for (let n = 90 + Math.floor(Math.random() * 50); n < 200; n++) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue
    const child = spawn("Xvfb", [`:${n}`, "-screen", "0", "640x480x24", "-nolisten", "tcp"], { stdio: "ignore" })
    const started = await waitForSocket(child, `/tmp/.X11-unix/X${n}`)
    if (started === "missing") throw new Error("Xvfb is not installed: `apt-get install xvfb xclip` (.ci/run installs them)")
    if (started === "exited") continue
    return { display: `:${n}`, stop: () => stopChild(child) }
  }
  throw new Error("no free X display number for Xvfb")
}

async function waitForSocket(child: ChildProcess, socket: string): Promise<"ok" | "exited" | "missing"> {
  let missing = false
  child.once("error", () => (missing = true))
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (missing) return "missing"
    if (child.exitCode !== null) return "exited"
    if (existsSync(socket)) return "ok"
    await new Promise((r) => setTimeout(r, 50))
  }
  child.kill("SIGKILL")
  throw new Error("Xvfb did not start within 15 s")
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })
}
