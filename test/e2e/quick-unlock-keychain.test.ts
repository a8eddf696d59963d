import { existsSync, readFileSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { LanvaultClient } from "../../src/api/client.js"
import { PASSWORD, startDevice } from "../helpers/device-start.js"
import { runCli, startDaemon, tempHome, type DaemonProcess } from "./helpers/cli.js"
import { startKeyringSession, type KeyringSession } from "./helpers/keyring-session.js"

const NEW_PASSWORD = "a different pass phrase"

/** Every file of the home, as bytes: none may hold the password in the clear. */
function homeHolds(home: string, text: string): string[] {
  return readdirSync(home).filter((name) => statSync(join(home, name)).isFile() && readFileSync(join(home, name)).includes(Buffer.from(text)))
}

describe("quick unlock through a real gnome-keyring (Secret Service in a private D-Bus session)", () => {
  const { home, cleanup } = tempHome()
  let keyring: KeyringSession
  let daemon: DaemonProcess | undefined
  let client: LanvaultClient | undefined
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) => runCli(args, { home, env: { ...keyring.env, ...env }, input, timeoutMs: 60_000 })

  beforeAll(async () => {
    keyring = await startKeyringSession()
    const device = await startDevice(home, { env: keyring.env })
    daemon = device.daemon
    client = device.client
  }, 90_000)

  afterAll(async () => {
    client?.close()
    await daemon?.stop("SIGKILL")
    await keyring?.stop()
    cleanup()
  })

  it("unlock --remember keeps a quick unlock; then `unlock` and the socket's unlock with no password open the vault", async () => {
    const remembered = await cli(["unlock", "--remember"], { LANVAULT_PASSWORD: PASSWORD })
    expect(remembered.stderr).toBe("")
    expect(remembered.stdout).toMatch(/Quick unlock remembered in the system keychain: 50 quick unlocks left/)
    expect(statSync(join(home, "quick-unlock.json")).mode & 0o777).toBe(0o600)
    expect(homeHolds(home, PASSWORD)).toEqual([])
    expect((await cli(["lock"])).code).toBe(0)
    const quick = await cli(["unlock"])
    expect(quick.stderr).toBe("")
    expect(quick.stdout).toMatch(/^Unlocked with the system keychain: 0 records \(49 quick unlocks left/)
    await client!.call("lock", {})
    const viaSocket = await client!.call("unlock", {})
    expect(viaSocket.quick?.usesLeft).toBe(48)
    expect((await client!.call("status", {})).quickUnlock?.usesLeft).toBe(48)
  }, 90_000)

  it("after the set number of quick unlocks the password is asked again", async () => {
    expect((await cli(["unlock", "--remember", "--remember-uses", "1"], { LANVAULT_PASSWORD: PASSWORD })).code).toBe(0)
    await client!.call("lock", {})
    expect((await cli(["unlock"])).stdout).toMatch(/0 quick unlocks left/)
    await client!.call("lock", {})
    const used = await cli(["unlock"])
    expect(used.code).toBe(2)
    expect(used.stderr).toMatch(/Quick unlock not possible: .*used 1 times/)
    expect(used.stderr).toMatch(/LANVAULT_PASSWORD/)
    expect(existsSync(join(home, "quick-unlock.json"))).toBe(false)
  }, 90_000)

  it("forget removes it; a password change forgets it", async () => {
    expect((await cli(["unlock", "--remember"], { LANVAULT_PASSWORD: PASSWORD })).code).toBe(0)
    expect((await cli(["forget"])).stdout).toContain("Forgot the quick unlock")
    await client!.call("lock", {})
    await expect(client!.call("unlock", {})).rejects.toMatchObject({ code: "QUICK_UNLOCK_UNAVAILABLE", data: { reason: "none" } })
    expect((await cli(["unlock", "--remember"], { LANVAULT_PASSWORD: PASSWORD })).code).toBe(0)
    expect((await cli(["passwd"], { LANVAULT_PASSWORD: PASSWORD, LANVAULT_NEW_PASSWORD: NEW_PASSWORD })).code).toBe(0)
    expect(existsSync(join(home, "quick-unlock.json"))).toBe(false)
    await client!.call("lock", {})
    await expect(client!.call("unlock", {})).rejects.toMatchObject({ code: "QUICK_UNLOCK_UNAVAILABLE" })
    expect((await client!.call("unlock", { password: NEW_PASSWORD })).records).toBe(0)
  }, 120_000)

  it("a locked keychain: a clear message and the password is asked; nothing falls back to plaintext", async () => {
    expect((await cli(["unlock", "--remember"], { LANVAULT_PASSWORD: NEW_PASSWORD })).code).toBe(0)
    await client!.call("lock", {})
    keyring.lock()
    const refused = await cli(["unlock"])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/Quick unlock not possible: cannot read the system keychain \(.+\)\. Asking for the password\./)
    await expect(client!.call("unlock", {})).rejects.toMatchObject({ code: "KEYCHAIN_UNAVAILABLE" })
    expect((await client!.call("status", {})).locked).toBe(true)
    // Remembering into a locked keychain: the password unlock still works and says why nothing was kept.
    const notKept = await cli(["unlock", "--remember"], { LANVAULT_PASSWORD: NEW_PASSWORD })
    expect(notKept.code).toBe(0)
    expect(notKept.stderr).toMatch(/Could not remember a quick unlock: cannot store a secret in the system keychain/)
    expect(homeHolds(home, NEW_PASSWORD)).toEqual([])
  }, 90_000)
})

describe("quick unlock with no keychain at all (no D-Bus session)", () => {
  const { home, cleanup } = tempHome()
  let daemon: DaemonProcess | undefined

  afterAll(async () => {
    await daemon?.stop("SIGKILL")
    cleanup()
  })

  it("unlock --remember unlocks and says the keychain is missing; unlock without a password asks for it", async () => {
    expect((await runCli(["init", "--name", "bare"], { home, env: { LANVAULT_PASSWORD: PASSWORD }, timeoutMs: 60_000 })).code).toBe(0)
    daemon = await startDaemon({ home, args: ["--port", "0"] })
    const result = await runCli(["unlock", "--remember"], { home, env: { LANVAULT_PASSWORD: PASSWORD }, timeoutMs: 60_000 })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Unlocked: 0 records\./)
    expect(result.stderr).toMatch(/Could not remember a quick unlock: cannot store a secret in the system keychain/)
    expect(existsSync(join(home, "quick-unlock.json"))).toBe(false)
  }, 90_000)
})
