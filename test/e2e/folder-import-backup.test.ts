import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { tempHome, waitFor } from "./helpers/cli.js"
import { Device, PASSWORD } from "./helpers/devices.js"
import { startFirstDevice } from "../helpers/device-start.js"

const FIXTURES = fileURLToPath(new URL("../fixtures/import/", import.meta.url))

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]))
}

describe("moving in: import and export through the CLI", () => {
  it("imports every format's fixture, reports duplicates, and leaves nothing behind from a bad file", async () => {
    const a = await startFirstDevice("alpha")
    const formats: Array<[string, string]> = [
      ["chrome.csv", "chrome-csv"], ["bitwarden.json", "bitwarden-json"], ["bitwarden.csv", "bitwarden-csv"],
      ["keepassxc.csv", "keepassxc-csv"], ["1password.csv", "1password-csv"], ["msecure.csv", "msecure-csv"],
    ]
    for (const [file, format] of formats) {
      const result = await a.cli(["import", join(FIXTURES, file), "--format", format])
      expect({ file, code: result.code, stderr: result.stderr }).toEqual({ file, code: 0, stderr: "" })
      expect(result.stdout).toMatch(/\d+ imported/)
    }
    const before = (await a.client!.call("records.list", {})).length
    expect(before).toBeGreaterThan(10)
    const again = await a.cli(["import", join(FIXTURES, "chrome.csv"), "--format", "chrome-csv"])
    expect(again.stdout).toMatch(/^0 imported/m)
    for (const [file, format] of [["chrome-truncated.csv", "chrome-csv"], ["chrome-latin1.csv", "chrome-csv"], ["chrome.csv", "keepassxc-csv"]]) {
      const bad = await a.cli(["import", join(FIXTURES, file), "--format", format])
      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(/line \d+/)
    }
    expect((await a.client!.call("records.list", {})).length).toBe(before)
  }, 60_000)

  it("imports 5,000 records in one go and exports them losslessly to another device", async () => {
    const a = await startFirstDevice("alpha")
    const b = await Device.create("beta")
    const lines = ["name,url,username,password,note"]
    for (let i = 0; i < 5000; i++) lines.push(`site ${i},https://s${i}.example/login,user${i},pw-${i}-Zx!,"note ${i}, with a comma"`)
    const csv = join(a.home, "big.csv")
    writeFileSync(csv, `${lines.join("\n")}\n`)
    const started = Date.now()
    const result = await a.cli(["import", csv, "--format", "chrome-csv"])
    const took = Date.now() - started
    expect(result.stdout).toMatch(/5000 imported/)
    console.log(`import of 5,000 records through the CLI: ${took} ms`)
    const refused = await a.cli(["export", join(a.home, "out.json"), "--format", "json"])
    expect(refused.code).toBe(2)
    const exported = await a.cli(["export", join(a.home, "out.json"), "--format", "json", "--yes"])
    expect(exported.code).toBe(0)
    expect(exported.stderr).toMatch(/plaintext/i)
    expect(statSync(join(a.home, "out.json")).mode & 0o777).toBe(0o600)
    await b.init()
    await b.start()
    await b.unlock()
    expect((await b.cli(["import", join(a.home, "out.json"), "--format", "json"])).stdout).toMatch(/5000 imported/)
    const one = (await b.client!.call("records.list", { query: "site 4321" }))[0]
    const record = await b.client!.call("records.get", { id: one.id })
    expect(record.fields.password.value).toBe("pw-4321-Zx!")
    expect(record.notes).toBe("note 4321, with a comma")
  }, 120_000)
})

describe("a sync folder", () => {
  it("carries edits between two devices that never connect over the network, and only as ciphertext", async () => {
    const a = await startFirstDevice("alpha")
    const b = await Device.create("beta")
    expect((await b.joinThrough(a)).joinResult.code).toBe(0)
    await a.stop()
    // A moves to another port: B's remembered address leads nowhere, so only the folder links them.
    const { home: shared, cleanup } = tempHome("lanvault-shared-")
    try {
      await a.start(["--port", "0"])
      await a.unlock()
      await b.start()
      await b.unlock()
      for (const d of [a, b]) expect((await d.cli(["folder", "add", shared])).code).toBe(0)
      await a.client!.call("records.create", { record: { type: "login", title: "FolderOnlyTitle", fields: { password: { value: "Folder-Secret-77", kind: "secret" } } } })
      await waitFor(async () => (await b.titles()).includes("FolderOnlyTitle"), "A's record on B through the folder")
      await b.client!.call("records.create", { record: { type: "note", title: "back from B" } })
      await waitFor(async () => (await a.titles()).includes("back from B"), "B's record on A through the folder")
      expect((await a.client!.call("status", {})).peers.filter((p) => p.state === "idle" || p.state === "syncing")).toEqual([])
      const files = listFiles(shared)
      expect(files.filter((f) => f.endsWith(".lvlog")).length).toBe(2)
      for (const file of files) {
        const bytes = readFileSync(file)
        for (const secret of ["FolderOnlyTitle", "Folder-Secret-77", "back from B"]) expect(bytes.includes(Buffer.from(secret))).toBe(false)
      }
      // A corrupted file is reported and ignored; the vault is unharmed.
      const dir = files[0].slice(0, files[0].lastIndexOf("/"))
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `${"f".repeat(32)}.lvlog`), Buffer.from("LVLOG1\ngarbage that is not an entry"))
      await a.client!.call("records.create", { record: { type: "note", title: "after the garbage" } })
      await waitFor(async () => (await b.titles()).includes("after the garbage"), "sync continuing past a corrupted file")
      const folders = JSON.parse((await b.cli(["folder", "list", "--json"])).stdout)
      expect(folders[0].path).toBe(shared)
    } finally {
      // Both daemons write into the shared folder: stop them before removing it.
      await Promise.all([a.stop(), b.stop()])
      cleanup()
    }
  }, 90_000)
})

describe("backups", () => {
  it("are written, listed, and restore only with the password; --replace puts the backup back without reusing a sequence number", async () => {
    const a = await startFirstDevice("alpha")
    for (const title of ["one", "two"]) await a.client!.call("records.create", { record: { type: "note", title } })
    const created = JSON.parse((await a.cli(["backup", "create", "--json"])).stdout)
    expect(statSync(created.path).mode & 0o777).toBe(0o600)
    expect(readFileSync(created.path).includes(Buffer.from("two"))).toBe(false)
    await a.client!.call("records.create", { record: { type: "note", title: "three" } })
    const list = JSON.parse((await a.cli(["backup", "list", "--json"])).stdout)
    expect(list.map((b: { path: string }) => b.path)).toContain(created.path)
    const wrong = await a.cli(["backup", "restore", created.path, "--replace", "--yes"], { LANVAULT_PASSWORD: "not the password" })
    expect(wrong.code).toBe(1)
    const restored = await a.cli(["backup", "restore", created.path, "--replace", "--yes"], { LANVAULT_PASSWORD: PASSWORD })
    expect(restored.stderr).not.toMatch(/lanvault:/)
    expect(restored.code).toBe(0)
    await a.unlock()
    // Issue 11 item 5: this device's own change made after the backup stays (its sequence number is taken);
    // the next change gets a fresh number.
    expect(await a.titles()).toEqual(["one", "three", "two"])
    await a.client!.call("records.create", { record: { type: "note", title: "four" } })
    expect(await a.titles()).toEqual(["four", "one", "three", "two"])
  }, 60_000)
})
