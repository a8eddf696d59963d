import { chmod, lstat, mkdir, stat, unlink } from "node:fs/promises"
import { createConnection, type Server } from "node:net"
import { dirname } from "node:path"
import { LanvaultError } from "../errors.js"
import type { ApiLogger } from "./types.js"

/**
 * The socket file's life: a private directory, no world access at any moment,
 * one daemon per path (a live socket refuses a second one, a stale one is
 * replaced), and removal of our own file only.
 */

/** How long a probe of an existing socket waits for an answer before calling it alive. */
const PROBE_TIMEOUT_MS = 1_000
const PRIVATE_DIR_MODE = 0o700
const SOCKET_MODE = 0o600
/** Umask while binding: the socket file is created as 0600 or stricter, never world-accessible. */
const BIND_UMASK = 0o177
const GROUP_OTHER_BITS = 0o077
const WINDOWS_PIPE_PREFIX = "\\\\.\\pipe\\"
/** Errors of connect() meaning nobody listens there. */
const STALE_CODES = new Set(["ECONNREFUSED", "ENOENT"])

/** Identifies the file we bound, so stop() never unlinks a successor's socket. */
export interface SocketIdentity {
  dev: number
  ino: number
}

/** Whether the path is a Windows named pipe (`\\.\pipe\lanvault-<hash of home>`): no file to manage. */
export function isNamedPipe(path: string): boolean {
  return process.platform === "win32" || path.startsWith(WINDOWS_PIPE_PREFIX)
}

/** The error for a path a live daemon already serves. */
export function alreadyRunning(path: string): LanvaultError {
  return new LanvaultError("ALREADY_RUNNING", `a lanvault daemon is already running for this home (socket ${path}): stop it first or use another --home`)
}

/** Makes the socket's directory (0700 when we create it) and clears a stale socket; throws ALREADY_RUNNING for a live one. */
export async function prepareSocketPath(path: string, logger: ApiLogger): Promise<void> {
  await ensurePrivateDir(dirname(path), logger)
  let existing
  try {
    existing = await lstat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return
    throw error
  }
  if (!existing.isSocket()) {
    throw new LanvaultError("USAGE", `${path} exists and is not a socket: move it away or set LANVAULT_SOCKET to another path`)
  }
  if (await socketAnswers(path)) throw alreadyRunning(path)
  logger.info("api: replacing a stale socket", { socket: path })
  await unlinkIfPresent(path)
}

/** Binds `server` to `path` with a strict umask; EADDRINUSE becomes ALREADY_RUNNING. */
export function listenPrivately(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" ? alreadyRunning(path) : error)
    server.once("error", onError)
    // The bind happens synchronously inside listen(), so the umask is restored before any other code runs here.
    const previous = setUmask(BIND_UMASK)
    try {
      server.listen(path, () => {
        server.off("error", onError)
        resolve()
      })
    } finally {
      if (previous !== undefined) setUmask(previous)
    }
  })
}

/** Sets the socket file's mode to 0600 and returns its identity. */
export async function secureSocketFile(path: string): Promise<SocketIdentity> {
  await chmod(path, SOCKET_MODE)
  const { dev, ino } = await stat(path)
  return { dev, ino }
}

/** Removes the socket file if it is still the one we bound. */
export async function removeSocketFile(path: string, identity: SocketIdentity): Promise<void> {
  try {
    const current = await lstat(path)
    if (current.dev === identity.dev && current.ino === identity.ino) await unlinkIfPresent(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
  }
}

/** Whether something accepts connections on `path` (a timeout counts as alive: it exists, it is busy). */
export function socketAnswers(path: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path)
    const settle = (outcome: () => void) => {
      clearTimeout(timer)
      socket.destroy()
      outcome()
    }
    const timer = setTimeout(() => settle(() => resolve(true)), timeoutMs)
    socket.once("connect", () => settle(() => resolve(true)))
    socket.once("error", (error: NodeJS.ErrnoException) => {
      if (STALE_CODES.has(error.code ?? "")) settle(() => resolve(false))
      else settle(() => reject(new LanvaultError("NOT_ALLOWED", `cannot check the socket at ${path} (${error.code ?? "error"}): check its permissions`, { cause: error })))
    })
  })
}

async function ensurePrivateDir(dir: string, logger: ApiLogger): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  if (created !== undefined) {
    await chmod(dir, PRIVATE_DIR_MODE)
    return
  }
  const { mode } = await stat(dir)
  if ((mode & GROUP_OTHER_BITS) !== 0) {
    // Not ours to change (it may be the home directory); the socket itself is still 0600.
    logger.warn("api: the socket's directory is open to other users", { dir, mode: (mode & 0o777).toString(8) })
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
  }
}

/** process.umask(mask), or undefined where it cannot be set (worker threads): chmod then still applies. */
function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask)
  } catch {
    return undefined
  }
}
