import { lstat, mkdir, readlink, symlink, unlink } from "node:fs/promises"
import { createServer, type Server, type Socket } from "node:net"
import { dirname } from "node:path"
import { listenPrivately, removeSocketFile, secureSocketFile, socketAnswers, type SocketIdentity } from "../api/socket-file.js"
import { LanvaultError } from "../errors.js"
import { errorFields, type Logger } from "../log.js"
import { JsonObjectSplitter } from "./json-stream.js"
import { errorReply } from "./kpxc-errors.js"
import { NATIVE_MESSAGE_MAX_BYTES } from "./native-messaging.js"
import type { BrowserBackend } from "./ports.js"
import { BrowserProtocol } from "./protocol-handler.js"
import type { BrowserSocketPaths } from "./socket-paths.js"

const MAX_CONNECTIONS = 16
const PRIVATE_DIR_MODE = 0o700
/**
 * keepassxc-proxy forwards whatever one read of the socket returns as one
 * native message, so two replies written back to back could reach the browser
 * as one invalid message: writes on a connection are spaced by this much.
 */
const WRITE_SPACING_MS = 15

/** One proxy connection: its sessions, its input splitter and its paced output. */
interface Connection {
  socket: Socket
  protocol: BrowserProtocol
  splitter: JsonObjectSplitter
  queue: Promise<void>
}

/**
 * The socket keepassxc-proxy (or lanvault's own relay) connects to: 0600, in a
 * 0700 directory, a legacy-path symlink beside it. Each connection gets its own
 * BrowserProtocol; requests on one connection are answered in order; garbage
 * gets an error reply and never closes the listener.
 */
export class BrowserServer {
  private server: Server | undefined
  private identity: SocketIdentity | undefined
  private readonly connections = new Set<Connection>()

  constructor(private readonly deps: { backend: BrowserBackend; logger: Logger }, readonly paths: BrowserSocketPaths) {}

  get listening(): boolean {
    return this.server !== undefined
  }

  async start(): Promise<void> {
    if (this.server) return
    const { socket, legacyLink } = this.paths
    await mkdir(dirname(socket), { recursive: true, mode: PRIVATE_DIR_MODE })
    await clearStale(socket)
    if (legacyLink) await clearStale(legacyLink)
    const server = createServer((s) => this.accept(s))
    server.maxConnections = MAX_CONNECTIONS
    await listenPrivately(server, socket).catch((error: unknown) => {
      throw (error as LanvaultError).code === "ALREADY_RUNNING" ? inUse(socket) : error
    })
    this.server = server
    this.identity = await secureSocketFile(socket)
    if (legacyLink) await symlink(socket, legacyLink).catch((error) => this.deps.logger.warn("browser: cannot link the legacy socket path", errorFields(error)))
    this.deps.logger.info("browser: listening", { socket })
  }

  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    for (const connection of this.connections) connection.socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    if (this.identity) await removeSocketFile(this.paths.socket, this.identity).catch(() => undefined)
    if (this.paths.legacyLink) await removeOurLink(this.paths.legacyLink, this.paths.socket)
    this.deps.logger.info("browser: stopped listening")
  }

  /** Sends an unencrypted notification (`database-locked`, `database-unlocked`) to every connected browser. */
  broadcast(action: string): void {
    for (const connection of this.connections) this.send(connection, { action })
  }

  private accept(socket: Socket): void {
    const connection: Connection = {
      socket,
      protocol: new BrowserProtocol(this.deps.backend),
      splitter: new JsonObjectSplitter(NATIVE_MESSAGE_MAX_BYTES),
      queue: Promise.resolve(),
    }
    this.connections.add(connection)
    socket.setEncoding("utf8")
    socket.on("data", (text: string) => this.receive(connection, text))
    socket.on("error", () => socket.destroy())
    socket.on("close", () => {
      connection.protocol.close()
      this.connections.delete(connection)
    })
  }

  private receive(connection: Connection, text: string): void {
    let objects: string[]
    try {
      objects = connection.splitter.push(text)
    } catch (error) {
      this.deps.logger.warn("browser: refused malformed input", { reason: (error as Error).name })
      this.send(connection, errorReply("", "EMPTY_MESSAGE_RECEIVED"))
      if (error instanceof RangeError) connection.queue = connection.queue.then(() => void connection.socket.end())
      else connection.splitter = new JsonObjectSplitter(NATIVE_MESSAGE_MAX_BYTES)
      return
    }
    for (const raw of objects) {
      connection.queue = connection.queue.then(async () => {
        let parsed: unknown
        try {
          parsed = JSON.parse(raw)
        } catch {
          parsed = undefined
        }
        const reply = await connection.protocol.handle(parsed)
        this.send(connection, reply)
      })
    }
  }

  private send(connection: Connection, message: Record<string, unknown>): void {
    connection.queue = connection.queue.then(
      () =>
        new Promise<void>((resolve) => {
          if (connection.socket.destroyed || !connection.socket.writable) return resolve()
          connection.socket.write(JSON.stringify(message), () => setTimeout(resolve, WRITE_SPACING_MS))
        }),
    )
  }
}

function inUse(path: string): LanvaultError {
  return new LanvaultError("BROWSER_SOCKET_IN_USE", `another program (KeePassXC with browser integration?) already listens on ${path}: quit it or turn its browser integration off, then run \`lanvault browser enable\` again`)
}

/** Removes a dead socket or a link at `path`; throws BROWSER_SOCKET_IN_USE when something answers there. */
async function clearStale(path: string): Promise<void> {
  let stats
  try {
    stats = await lstat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return
    throw error
  }
  if (!stats.isSocket() && !stats.isSymbolicLink()) {
    throw new LanvaultError("USAGE", `${path} exists and is not a socket: move it away, then run \`lanvault browser enable\` again`)
  }
  if (await socketAnswers(path)) throw inUse(path)
  await unlink(path).catch(() => undefined)
}

async function removeOurLink(link: string, target: string): Promise<void> {
  try {
    if ((await readlink(link)) === target) await unlink(link)
  } catch {
    // Not a link of ours (or gone): leave it.
  }
}
