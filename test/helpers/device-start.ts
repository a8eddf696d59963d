import { connect, type LanvaultClient } from "../../src/api/client.js"
import { runCli, startDaemon, type DaemonProcess } from "../e2e/helpers/cli.js"

/** The account password of every test device. */
export const PASSWORD = "correct horse battery"

export interface DeviceStartOptions {
  /** The device name given to `lanvault init` (default "desk"). */
  name?: string
  /** Extra environment of the CLI and the daemon (e.g. XDG_RUNTIME_DIR, a keyring session). */
  env?: Record<string, string>
  /** Extra `lanvault daemon` arguments (a free port is picked unless they name one). */
  daemonArgs?: string[]
  /** Unlock with PASSWORD through the CLI before returning (default false). */
  unlock?: boolean
}

/** A started device: its daemon and a socket client. */
export interface StartedDevice {
  daemon: DaemonProcess
  client: LanvaultClient
  /** Closes the client and kills the daemon (the home stays for the caller to remove). */
  stop(): Promise<void>
}

/**
 * The set-up e2e files repeated: `lanvault init` in `home` with PASSWORD, the daemon (no mDNS,
 * a free port), optionally `lanvault unlock`, and a client on the socket. Each step that fails
 * throws with the command's stderr; a daemon already started is stopped first.
 */
export async function startDevice(home: string, options: DeviceStartOptions = {}): Promise<StartedDevice> {
  const cliEnv = { ...options.env, LANVAULT_PASSWORD: PASSWORD }
  const init = await runCli(["init", "--name", options.name ?? "desk"], { home, env: cliEnv, timeoutMs: 60_000 })
  if (init.code !== 0) throw new Error(`lanvault init exited ${init.code}: ${init.stderr}`)
  const daemon = await startDaemon({ home, env: options.env, args: options.daemonArgs })
  try {
    if (options.unlock) {
      const unlock = await runCli(["unlock"], { home, env: cliEnv, timeoutMs: 60_000 })
      if (unlock.code !== 0) throw new Error(`lanvault unlock exited ${unlock.code}: ${unlock.stderr}`)
    }
    const client = await connect({ socketPath: daemon.socketPath })
    return {
      daemon,
      client,
      stop: async () => {
        client.close()
        await daemon.stop("SIGKILL")
      },
    }
  } catch (error) {
    await daemon.stop("SIGKILL")
    throw error
  }
}
