import { connect, type LanvaultClient } from "../../src/api/client.js"
import { runCli, startDaemon, type DaemonProcess } from "../e2e/helpers/cli.js"
import { Device, PASSWORD } from "../e2e/helpers/devices.js"

/** The account password of every test device (one definition, helpers/devices.ts). */
export { PASSWORD }

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

/** How {@link startFirstDevice} starts the daemon. */
export interface FirstDeviceOptions {
  /** Extra `lanvault daemon` arguments (the device's own port is always given). */
  args?: string[]
  /** Extra environment of the daemon. */
  env?: Record<string, string>
  /** Who destroys the device (default: when the test finishes); see Device.create. */
  registerCleanup?: (destroy: () => Promise<void>) => void
}

/** A new account's first device, as the e2e files set it up: `lanvault init`, its daemon, unlocked with PASSWORD. */
export async function startFirstDevice(name: string, options: FirstDeviceOptions = {}): Promise<Device> {
  const device = await Device.create(name, options.registerCleanup)
  await device.init()
  await device.start(options.args, options.env)
  await device.unlock()
  return device
}

/** Pairs `device` through `host`'s pairing window (throws with join's stderr if it fails), then starts and unlocks it. */
export async function joinAndStart(device: Device, host: Device): Promise<Device> {
  const { joinResult } = await device.joinThrough(host)
  if (joinResult.code !== 0) throw new Error(`lanvault join exited ${joinResult.code}: ${joinResult.stderr}`)
  await device.start()
  await device.unlock()
  return device
}

/**
 * Started, unlocked devices of one account in a line: the first by `init`, each
 * next one paired through the one before it (so C only ever dials B, never A).
 */
export async function startLine(names: string[]): Promise<Device[]> {
  const devices = await Promise.all(names.map((name) => Device.create(name)))
  await devices[0].init()
  await devices[0].start()
  await devices[0].unlock()
  for (let i = 1; i < devices.length; i++) await joinAndStart(devices[i], devices[i - 1])
  return devices
}
