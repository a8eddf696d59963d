import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { LanvaultClient } from "../../src/api/client.js"
import { PASSWORD, startDevice } from "../helpers/device-start.js"
import { runCli, tempHome, type DaemonProcess } from "./helpers/cli.js"
import { startKeyringSession, type KeyringSession } from "./helpers/keyring-session.js"
import { KpxcClient, socketTransport } from "./helpers/kpxc-client.js"

const SOCKET = join("app", "org.keepassxc.KeePassXC", "org.keepassxc.KeePassXC.BrowserServer")

describe("the extension's unlock request uses the remembered quick unlock (real gnome-keyring)", () => {
  const { home, cleanup } = tempHome("lanvault-browser-quick-")
  const runtime = join(home, "run")
  let keyring: KeyringSession
  let daemon: DaemonProcess | undefined
  let api: LanvaultClient | undefined
  let client: KpxcClient | undefined
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { home, env: { ...keyring.env, XDG_RUNTIME_DIR: runtime, ...env }, timeoutMs: 60_000 })

  beforeAll(async () => {
    mkdirSync(runtime, { mode: 0o700 })
    keyring = await startKeyringSession()
    const device = await startDevice(home, { env: { ...keyring.env, XDG_RUNTIME_DIR: runtime } })
    daemon = device.daemon
    api = device.client
  }, 90_000)

  afterAll(async () => {
    client?.transport.close()
    api?.close()
    await daemon?.stop("SIGKILL")
    await keyring?.stop()
    cleanup()
  })

  it("a locked vault answers the locked error, and triggerUnlock opens it with the keychain", async () => {
    expect((await cli(["unlock", "--remember"], { LANVAULT_PASSWORD: PASSWORD })).code).toBe(0)
    expect((await cli(["browser", "enable"])).code).toBe(0)
    expect((await cli(["lock"])).code).toBe(0)
    client = new KpxcClient(await socketTransport(join(runtime, SOCKET)))
    await client.changePublicKeys()
    // Without triggerUnlock the vault stays locked.
    expect((await client.call("get-databasehash")).outer.errorCode).toBe("1")
    expect((await api!.call("status", {})).locked).toBe(true)
    expect((await client.call("get-databasehash", {}, { triggerUnlock: true })).outer.errorCode).toBe("1")
    expect(await client.transport.next(15_000)).toEqual({ action: "database-unlocked" })
    expect((await api!.call("status", {})).locked).toBe(false)
    expect((await client.call("get-databasehash")).inner?.hash).toMatch(/^[0-9a-f]{64}$/)
  }, 90_000)
})
