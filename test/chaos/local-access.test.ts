import { execFileSync, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { chmodSync, statSync } from "node:fs"
import { dirname } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import type { LanvaultError } from "../../src/errors.js"
import { describeChaos, log, sleep } from "./helpers/chaos-env.js"
import { LoopbackVault, PASSWORD } from "./helpers/loopback-vault.js"

/**
 * Local access (issue 7, DESIGN §10): the socket is 0600 in a 0700 directory, a
 * real second Unix user cannot connect to it (not even when the directory lets
 * it pass through), and wrong-password throttling survives a `kill -9`.
 * Needs root (useradd, setpriv); the user is removed afterwards.
 */

/** Connects to argv[1] and prints "CONNECTED" or the error code; run as the other user. */
const CONNECT_SCRIPT = `
const socket = require("node:net").createConnection(process.argv[1]);
socket.on("connect", () => { console.log("CONNECTED"); process.exit(0) });
socket.on("error", (error) => { console.log(error.code); process.exit(0) });
setTimeout(() => { console.log("TIMEOUT"); process.exit(0) }, 5000);
`

describeChaos("another local user cannot reach the vault", () => {
  let vault: LoopbackVault
  let user = ""
  let uid = 0
  let gid = 0

  beforeAll(async () => {
    vault = await LoopbackVault.create("local")
    await vault.init()
    await vault.start()
    user = `lvchaos${randomBytes(3).toString("hex")}`
    execFileSync("useradd", ["--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", user])
    uid = Number(execFileSync("id", ["-u", user]).toString().trim())
    gid = Number(execFileSync("id", ["-g", user]).toString().trim())
    log(`local-access: temporary user ${user} (uid ${uid})`)
  }, 60_000)

  afterAll(async () => {
    if (user) spawnSync("userdel", [user])
    await vault?.destroy()
  })

  /** What the other user gets when it connects to `path`. */
  function connectAsOtherUser(path: string): string {
    const result = spawnSync("setpriv", [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", process.execPath, "-e", CONNECT_SCRIPT, path], {
      encoding: "utf8",
      timeout: 15_000,
    })
    if (result.error) throw result.error
    return `${result.stdout}`.trim() || `exit ${result.status}: ${result.stderr}`
  }

  it("the socket is 0600 in a 0700 directory owned by the vault's user", () => {
    const socket = statSync(vault.socketPath)
    const dir = statSync(dirname(vault.socketPath))
    expect(socket.isSocket()).toBe(true)
    expect((socket.mode & 0o777).toString(8)).toBe("600")
    expect((dir.mode & 0o777).toString(8)).toBe("700")
    expect(socket.uid).toBe(process.getuid!())
  })

  it("a real second Unix user gets EACCES, through the 0700 directory and at the 0600 socket itself", async () => {
    expect(connectAsOtherUser(vault.socketPath)).toBe("EACCES")
    // Let the other user through the directory: the socket's own mode must still refuse it.
    const home = dirname(vault.socketPath)
    chmodSync(home, 0o711)
    try {
      expect(connectAsOtherUser(vault.socketPath)).toBe("EACCES")
    } finally {
      chmodSync(home, 0o700)
    }
    // The daemon still serves its own user.
    expect((await vault.client!.call("status", {})).locked).toBe(true)
  })

  it("wrong-password throttling holds, across a kill -9 and restart", async () => {
    const wrong = async () => {
      try {
        await vault.client!.call("unlock", { password: "not the password" })
        return "unlocked"
      } catch (error) {
        return (error as LanvaultError).code
      }
    }
    for (let i = 0; i < 3; i++) expect(await wrong()).toBe("WRONG_PASSWORD")
    // Now even the right password waits (1 s, doubling with each further failure).
    const early = await vault.client!.call("unlock", { password: PASSWORD }).catch((e: LanvaultError) => e)
    expect((early as LanvaultError).code).toBe("TOO_MANY_ATTEMPTS")
    for (let i = 0; i < 2; i++) {
      await sleep(Number((early as LanvaultError).data?.retryAfterMs ?? 0) + 2 ** i * 1_000 + 100)
      expect(await wrong()).toBe("WRONG_PASSWORD")
    }
    // Five failures: the next try waits 4 s, and a restart does not reset that.
    await vault.kill()
    await vault.start()
    const afterRestart = await vault.client!.call("unlock", { password: PASSWORD }).catch((e: LanvaultError) => e)
    expect((afterRestart as LanvaultError).code).toBe("TOO_MANY_ATTEMPTS")
    const waitMs = Number((afterRestart as LanvaultError).data?.retryAfterMs)
    expect(waitMs).toBeGreaterThan(0)
    await sleep(waitMs + 100)
    expect((await vault.client!.call("unlock", { password: PASSWORD })).unlocked).toBe(true)
  })
})
