import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli, startDaemon, tempHome, type DaemonProcess } from "./helpers/cli.js"

const PASSWORD = "correct horse battery"
const NEW_PASSWORD = "tr0ub4dor & 3 more words"

describe("one device through the real CLI and a real daemon", () => {
  const { home, cleanup } = tempHome()
  let daemon: DaemonProcess | undefined
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) => runCli(args, { home, env, input })

  beforeAll(async () => {
    const init = await cli(["init", "--name", "desk"], { LANVAULT_PASSWORD: PASSWORD })
    expect(init.stderr).toBe("")
    expect(init.code).toBe(0)
    expect(init.stdout).toMatch(/LV1(-[0-9A-Z]{4}){7}/)
  }, 60_000)

  afterAll(async () => {
    await daemon?.stop("SIGKILL")
    cleanup()
  })

  it("says the daemon is not running with exit code 4", async () => {
    const result = await cli(["status"])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/lanvault daemon/)
  })

  it("starts a daemon whose socket is 0600 and refuses a second daemon on the same home", async () => {
    daemon = await startDaemon({ home })
    expect(statSync(daemon.socketPath).mode & 0o777).toBe(0o600)
    const second = await cli(["daemon", "--no-mdns"])
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/already running/)
    expect(existsSync(daemon.socketPath)).toBe(true)
  })

  it("reports a locked vault with exit code 3", async () => {
    const result = await cli(["list"])
    expect(result.code).toBe(3)
    const status = JSON.parse((await cli(["status", "--json"])).stdout)
    expect(status.locked).toBe(true)
    expect(status.deviceName).toBe("desk")
  })

  it("refuses a wrong password and unlocks with the right one", async () => {
    const wrong = await cli(["unlock"], { LANVAULT_PASSWORD: "not the password" })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/wrong account password/)
    expect(wrong.stderr).not.toMatch(/not the password/)
    const right = await cli(["unlock", "--password-stdin"], {}, `${PASSWORD}\n`)
    expect(right.code).toBe(0)
  })

  it("refuses a secret on argv before reaching the daemon", async () => {
    const result = await cli(["add", "--type", "login", "--title", "Bank", "--field", "password=hunter2"])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--secret-field/)
  })

  let id = ""

  it("adds, lists, gets, edits, trashes and shows the history of a record", async () => {
    const added = await cli(
      ["add", "--type", "login", "--title", "Mail", "--field", "username=ann", "--field", "url=https://mail.example", "--secret-field", "password", "--json"],
      {}, "s3cret-mail-pw\n",
    )
    expect(added.code).toBe(0)
    id = JSON.parse(added.stdout).id
    expect(id).toMatch(/\S{8,}/)

    const list = JSON.parse((await cli(["list", "--json"])).stdout)
    expect(list.map((r: { title: string }) => r.title)).toEqual(["Mail"])
    expect(JSON.stringify(list)).not.toContain("s3cret-mail-pw")

    const hidden = await cli(["get", id])
    expect(hidden.stdout).toContain("ann")
    expect(hidden.stdout).not.toContain("s3cret-mail-pw")
    const revealed = JSON.parse((await cli(["get", id, "--reveal", "--json"])).stdout)
    expect(revealed.fields.password).toEqual({ value: "s3cret-mail-pw", kind: "secret" })
    expect(revealed.fields.url.kind).toBe("url")

    expect((await cli(["edit", id.slice(0, 8), "--field", "username=ann2"])).code).toBe(0)
    const edited = JSON.parse((await cli(["get", id, "--json"])).stdout)
    expect(edited.fields.username.value).toBe("ann2")
    const history = JSON.parse((await cli(["history", id, "--json"])).stdout)
    expect(history).toContainEqual(expect.objectContaining({ field: "username", value: "ann" }))

    expect((await cli(["rm", id])).code).toBe(0)
    expect(JSON.parse((await cli(["list", "--json"])).stdout)).toEqual([])
    const trash = JSON.parse((await cli(["list", "--trash", "--json"])).stdout)
    expect(trash.map((r: { id: string }) => r.id)).toEqual([id])
  })

  it("says an unknown record id is not found", async () => {
    const result = await cli(["get", "0123456789abcdef0123456789abcdef"])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/not found/)
  })

  it("changes the password: the records stay, the old password no longer unlocks", async () => {
    const passwd = await cli(["passwd", "--password-stdin"], {}, `${PASSWORD}\n${NEW_PASSWORD}\n`)
    expect(passwd.stderr).toBe("")
    expect(passwd.code).toBe(0)
    expect((await cli(["lock"])).code).toBe(0)
    expect(JSON.parse((await cli(["status", "--json"])).stdout).locked).toBe(true)
    expect((await cli(["unlock"], { LANVAULT_PASSWORD: PASSWORD })).code).toBe(1)
    expect((await cli(["unlock"], { LANVAULT_PASSWORD: NEW_PASSWORD })).code).toBe(0)
    const trash = JSON.parse((await cli(["list", "--trash", "--json"])).stdout)
    expect(trash.map((r: { id: string }) => r.id)).toEqual([id])
  }, 90_000)

  it("keeps every acknowledged record across a daemon restart (SIGTERM exits cleanly)", async () => {
    expect(await daemon!.stop()).toBe(0)
    expect(existsSync(join(home, "lanvault.sock"))).toBe(false)
    daemon = await startDaemon({ home })
    expect((await cli(["unlock"], { LANVAULT_PASSWORD: NEW_PASSWORD })).code).toBe(0)
    const trash = JSON.parse((await cli(["list", "--trash", "--json"])).stdout)
    expect(trash.map((r: { id: string }) => r.id)).toEqual([id])
  })

  it("resets: the vault is wiped, a new account key replaces the old one", async () => {
    const oldKey = readFileSync(join(home, "account.key"), "utf8").trim()
    const refused = await cli(["reset"], { LANVAULT_NEW_PASSWORD: "a brand new password" })
    expect(refused.code).toBe(2)
    const reset = await cli(["reset", "--yes"], { LANVAULT_NEW_PASSWORD: "a brand new password" })
    expect(reset.code).toBe(0)
    const newKey = reset.stdout.match(/LV1(-[0-9A-Z]{4}){7}/)?.[0]
    expect(newKey).toBeDefined()
    expect(newKey).not.toBe(oldKey)
    expect(readFileSync(join(home, "account.key"), "utf8").trim()).toBe(newKey)
    expect((await cli(["unlock"], { LANVAULT_PASSWORD: NEW_PASSWORD })).code).toBe(1)
    expect((await cli(["unlock"], { LANVAULT_PASSWORD: "a brand new password" })).code).toBe(0)
    expect(JSON.parse((await cli(["list", "--trash", "--json"])).stdout)).toEqual([])
  })

  it("writes this home's own systemd user unit, enables it, and exits 1 with the reason when systemctl fails", async () => {
    const config = join(home, "config")
    const bin = join(home, "fake-bin")
    mkdirSync(bin, { recursive: true })
    // A stand-in systemctl: records its arguments; fails when FAIL_SYSTEMCTL is set.
    writeFileSync(join(bin, "systemctl"), `#!/bin/sh\necho "$@" >> "${join(home, "systemctl.log")}"\n[ -z "$FAIL_SYSTEMCTL" ] || { echo "Failed to connect to bus" >&2; exit 1; }\n`)
    chmodSync(join(bin, "systemctl"), 0o755)
    const env = { XDG_CONFIG_HOME: config, PATH: bin }
    const installed = await cli(["service", "install"], env)
    expect(installed.code).toBe(0)
    const unitName = /(lanvault-[0-9a-f]{8}\.service)/.exec(readFileSync(join(home, "systemctl.log"), "utf8"))?.[1] ?? ""
    expect(unitName).not.toBe("")
    const unit = readFileSync(join(config, "systemd", "user", unitName), "utf8")
    expect(unit).toContain("daemon")
    expect(unit).toContain(home)
    expect(readFileSync(join(home, "systemctl.log"), "utf8")).toBe(`--user daemon-reload\n--user enable --now ${unitName}\n`)
    const failed = await cli(["service", "install"], { ...env, FAIL_SYSTEMCTL: "1" })
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain("Failed to connect to bus")
    expect((await cli(["service", "uninstall"], env)).code).toBe(0)
    expect(existsSync(join(config, "systemd", "user", unitName))).toBe(false)
  })
})
