import type { Command } from "commander"
import { resolveHome, socketPathFor } from "../api/public.js"
import { connect, type LanvaultClient } from "../api/client.js"
import type { CliIo } from "./io.js"
import { SecretReader } from "./secrets.js"

/** What every command's action gets: the streams, the secret reader, the home and the daemon. */
export class CliContext {
  /** Shared by every read of this invocation, so stdin lines are consumed in order. */
  readonly secrets: SecretReader

  constructor(readonly io: CliIo) {
    this.secrets = new SecretReader(io)
  }

  /** Writes a line (or lines) of human output to stdout. */
  print(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`)
  }

  /** Writes a warning or explanation to stderr (stdout stays clean for `--json`). */
  note(text: string): void {
    this.io.stderr.write(text.endsWith("\n") ? text : `${text}\n`)
  }

  /** Writes one JSON document to stdout. */
  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
  }

  /** This device's home: `--home`, else LANVAULT_HOME, else the platform's data dir. */
  home(command: Command): string {
    const { home } = command.optsWithGlobals<{ home?: string }>()
    return resolveHome(home, this.io.env)
  }

  /** The daemon's socket for this home. */
  socketPath(command: Command): string {
    return socketPathFor(this.home(command), this.io.env)
  }

  /** Connects to the daemon (DAEMON_NOT_RUNNING when none), runs `use`, and closes. */
  async withClient<T>(command: Command, use: (client: LanvaultClient) => Promise<T>): Promise<T> {
    const client = await connect({ socketPath: this.socketPath(command) })
    try {
      return await use(client)
    } finally {
      client.close()
    }
  }
}
