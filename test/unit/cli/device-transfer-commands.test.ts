import { writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import type { DeviceInfo } from "../../../src/api/protocol.js"
import { runCli, scriptedPrompts, startFakeDaemon, tempDir, type FakeDaemon } from "./helpers.js"

const DESK: DeviceInfo = { deviceId: "d35c0000000000000000000000000001", name: "desk", self: true, revoked: false, addedAt: 1, seq: 10 }
const LAPTOP: DeviceInfo = { deviceId: "1a900000000000000000000000000002", name: "laptop", self: false, revoked: false, addedAt: 2, seq: 4, state: "connected", lastSeenAt: Date.UTC(2024, 4, 1) }
const NEW_KEY = "LV1-0000-1111-2222-3333-4444-5555-6600"

describe("device, import and export commands against a fake daemon", () => {
  const { dir: home, cleanup } = tempDir()
  let daemon: FakeDaemon

  beforeAll(async () => {
    daemon = await startFakeDaemon(home, { "devices.list": () => [DESK, LAPTOP] })
  })
  afterEach(() => {
    daemon.calls.length = 0
  })
  afterAll(async () => {
    await daemon.close()
    cleanup()
  })

  it("pair opens the window for --seconds and says until when", async () => {
    daemon.handlers["pairing.open"] = (params) => ({ until: Date.now() + Number(params.seconds ?? 120) * 1000 })
    daemon.handlers.status = () => ({ port: 47110 })
    const result = await runCli(["pair", "--seconds", "90", "--no-wait"], { home })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Pairing is open until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \((89|90) s\)/)
    expect(result.stdout).toContain("lanvault join --account-key-stdin")
    expect(result.stdout).toContain("mDNS")
    expect(result.stdout).not.toContain("THIS-HOST")
    // This machine's real addresses (or, on a machine with none but loopback, a plain word for it).
    expect(result.stdout).toMatch(/lanvault join --peer (\S+:47110|ADDRESS:47110) --account-key-stdin/)
    expect(daemon.calls).toEqual([{ method: "pairing.open", params: { seconds: 90 } }, { method: "status", params: {} }])
  })

  it("devices lists the devices, this one marked", async () => {
    const result = await runCli(["devices"], { home })
    expect(result.stdout).toMatch(/^ID\s+NAME\s+CONNECTION\s+ADDRESS\s+LAST SEEN\n/)
    expect(result.stdout).toMatch(/d35c0000\s+desk \(this device\)\s+this device\s+-\s+-\n/)
    expect(result.stdout).toMatch(/1a900000\s+laptop\s+connected\s+\S+\s+2024-05-0/)
    expect(JSON.parse((await runCli(["devices", "--json"], { home })).stdout)).toEqual([DESK, LAPTOP])
  })

  it("revoke finds a device by name or id prefix and prints the new account key", async () => {
    daemon.handlers["devices.revoke"] = (params) => ({ deviceId: params.deviceId, accountKey: NEW_KEY })
    const byName = await runCli(["revoke", "laptop"], { home })
    expect(byName.code).toBe(0)
    expect(byName.stdout).toContain('Revoked "laptop" (1a900000)')
    expect(byName.stdout).toContain(NEW_KEY)
    expect(daemon.calls.at(-1)).toEqual({ method: "devices.revoke", params: { deviceId: LAPTOP.deviceId } })
    const byPrefix = JSON.parse((await runCli(["revoke", "1A9", "--json"], { home })).stdout)
    expect(byPrefix).toEqual({ deviceId: LAPTOP.deviceId, accountKey: NEW_KEY })
  })

  it("revoke of an unknown device exits 1 without calling revoke", async () => {
    const result = await runCli(["revoke", "phone"], { home })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('no device "phone"')
    expect(daemon.calls.map((c) => c.method)).toEqual(["devices.list"])
  })

  it("rename sends the device id and the new name", async () => {
    daemon.handlers["devices.rename"] = (params) => ({ ...LAPTOP, name: params.name })
    const result = await runCli(["rename", "1a9", "old laptop"], { home })
    expect(result.stdout).toBe('Renamed 1a900000 to "old laptop".\n')
    expect(daemon.calls.at(-1)).toEqual({ method: "devices.rename", params: { deviceId: LAPTOP.deviceId, name: "old laptop" } })
  })

  it("import sends an absolute path and prints what was imported and why others were skipped", async () => {
    const file = join(home, "export.csv")
    writeFileSync(file, "name,url,username,password\n")
    daemon.handlers.import = () => ({
      imported: 5, format: "chrome-csv", detectedBy: "--format",
      skipped: [{ line: 7, title: "Blank", reason: "no title and no fields" }, { reason: "duplicate" }],
      kept: [{ line: 3, title: "mail", reason: "imported as its own record: same title, username and URL as line 2, but a different password" }],
      notCarried: [{ line: 9, title: "Scan", items: ["attachment a.pdf"] }],
    })
    const result = await runCli(["import", relative(process.cwd(), file), "--format", "chrome-csv"], { home })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      "Read as chrome-csv (as --format said).\n5 imported, 2 skipped\n" +
        '  kept line 3 "mail": imported as its own record: same title, username and URL as line 2, but a different password\n' +
        '  skipped line 7 "Blank": no title and no fields\n' +
        '  imported line 9 "Scan" without: attachment a.pdf (lanvault cannot hold these)\n' +
        "  skipped: duplicate\nEvery other entry was imported as it was.\n",
    )
    expect(daemon.calls).toEqual([{ method: "import", params: { path: file, format: "chrome-csv" } }])
  })

  it("import of a missing file fails before calling the daemon", async () => {
    const result = await runCli(["import", join(home, "nope.json"), "--format", "bitwarden-json"], { home })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("not found")
    expect(daemon.calls).toEqual([])
  })

  it("export warns that the file is plaintext and, without a terminal, needs --yes", async () => {
    daemon.handlers.export = (params) => ({ exported: 12, path: params.path, format: params.format })
    const file = join(home, "vault.json")
    const refused = await runCli(["export", file, "--format", "json"], { home })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("PLAINTEXT")
    expect(daemon.calls).toEqual([])
    const done = await runCli(["export", file, "--format", "json", "--yes"], { home })
    expect(done.code).toBe(0)
    expect(done.stderr).toContain("PLAINTEXT")
    expect(done.stdout).toBe(`Exported 12 records to ${file} (json).\n`)
    expect(daemon.calls).toEqual([{ method: "export", params: { path: file, format: "json" } }])
  })

  it("export on a terminal asks first", async () => {
    daemon.handlers.export = (params) => ({ exported: 1, path: params.path, format: params.format })
    const prompts = scriptedPrompts([], ["yes"])
    const result = await runCli(["export", join(home, "v.csv"), "--format", "csv"], { home, tty: true, prompts })
    expect(result.code).toBe(0)
    expect(prompts.questions).toEqual(["Write the plaintext export? [y/N] "])
  })
})
