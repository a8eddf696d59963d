import { execFileSync, spawnSync } from "node:child_process"
import { readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as OTPAuth from "otpauth"
import { describe, expect, it } from "vitest"
import { startFirstDevice } from "../helpers/device-start.js"

const FIXTURES = fileURLToPath(new URL("../fixtures/import/", import.meta.url))
const KDBX_PASSWORD = "kdbx pass phrase"
const TOTP_SECRET = "JBSWY3DPEHPK3PXP"

/** Runs the real keepassxc-cli (Debian package keepassxc), feeding `input` on stdin (it reads passwords there). */
function keepassxc(args: string[], input: string): string {
  const result = spawnSync("keepassxc-cli", args, { input, encoding: "utf8", env: { ...process.env, QT_QPA_PLATFORM: "offscreen" }, timeout: 30_000 })
  if (result.error) throw new Error(`keepassxc-cli could not run (install the Debian package keepassxc): ${result.error.message}`)
  if (result.status !== 0) throw new Error(`keepassxc-cli ${args[0]} failed (${result.status}): ${result.stderr}`)
  return result.stdout
}

/** The TOTP codes valid around now (one step either side, so a step boundary between two reads cannot fail the test). */
function codesAroundNow(secret: string): string[] {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) })
  return [-30_000, 0, 30_000].map((offset) => totp.generate({ timestamp: Date.now() + offset }))
}

const KEEPASS_XML = `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<KeePassFile><Meta><Generator>test</Generator><DatabaseName>Interop</DatabaseName></Meta><Root>
<Group><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID><Name>Root</Name>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAAEA==</UUID>
<String><Key>Title</Key><Value>Mail</Value></String><String><Key>UserName</Key><Value>ann</Value></String>
<String><Key>Password</Key><Value>kx-pw-ünï</Value></String><String><Key>URL</Key><Value>https://mail.example</Value></String>
<String><Key>Notes</Key><Value>line one\nline two</Value></String>
<String><Key>otp</Key><Value>otpauth://totp/Mail:ann?secret=${TOTP_SECRET}&amp;period=30&amp;digits=6</Value></String>
<String><Key>PIN</Key><Value>4321</Value></String></Entry>
<Group><UUID>AAAAAAAAAAAAAAAAAAAAAw==</UUID><Name>Work</Name>
<Entry><UUID>AAAAAAAAAAAAAAAAAAAAEQ==</UUID><String><Key>Title</Key><Value>Build server</Value></String>
<String><Key>UserName</Key><Value>ci</Value></String><String><Key>Password</Key><Value>ci-pw</Value></String></Entry>
</Group></Group></Root></KeePassFile>`

describe("moving in from KeePassXC and out to it, with the real keepassxc-cli", () => {
  it("imports a KDBX keepassxc-cli wrote (entries, passwords, groups, TOTP); a wrong password is WRONG_PASSWORD and changes nothing", async () => {
    const a = await startFirstDevice("alpha")
    const xml = join(a.home, "interop.xml")
    const kdbx = join(a.home, "from-keepassxc.kdbx")
    writeFileSync(xml, KEEPASS_XML)
    keepassxc(["import", "-p", xml, kdbx], `${KDBX_PASSWORD}\n${KDBX_PASSWORD}\n`)
    const wrong = await a.cli(["import", kdbx], { LANVAULT_IMPORT_PASSWORD: "not the password" })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/wrong password/i)
    expect(await a.client!.call("records.list", {})).toEqual([])
    const result = await a.cli(["import", kdbx, "--json"], { LANVAULT_IMPORT_PASSWORD: KDBX_PASSWORD })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: 2, format: "kdbx", detectedBy: expect.stringContaining("KDBX") })
    const records = await Promise.all((await a.client!.call("records.list", {})).map((s) => a.client!.call("records.get", { id: s.id })))
    const mail = records.find((r) => r.title === "Mail")!
    expect(mail.fields).toMatchObject({ username: { value: "ann" }, password: { value: "kx-pw-ünï", kind: "secret" }, PIN: { value: "4321", kind: "text" } })
    expect(mail.notes).toBe("line one\nline two")
    expect(mail.fields.totp.kind).toBe("totp")
    expect(mail.fields.totp.value).toContain(`secret=${TOTP_SECRET}`)
    expect(records.find((r) => r.title === "Build server")!.tags).toEqual(["Work"])
  }, 90_000)

  it("exports a KDBX 4 that keepassxc-cli opens: entries, passwords and TOTP codes match; KeePassXC's own re-save reads back losslessly", async () => {
    const a = await startFirstDevice("alpha")
    await a.client!.call("records.create", {
      record: {
        type: "login", title: "Forum", tags: ["Social/Forums", "Work"], notes: "first line\nsecond — ünïcode",
        fields: { username: { value: "ada", kind: "text" }, password: { value: "pa,ss\"word", kind: "secret" }, url: { value: "https://forum.example", kind: "url" }, totp: { value: TOTP_SECRET, kind: "totp" }, PIN: { value: "1234", kind: "secret" } },
      },
    })
    const { id } = await a.client!.call("records.create", { record: { type: "card", title: "Visa", fields: { number: { value: "4111111111111111", kind: "secret" } } } })
    await a.client!.call("records.update", { id, set: { fields: { number: { value: "4222222222222", kind: "secret" } } } })
    const out = join(a.home, "export.kdbx")
    const exported = await a.cli(["export", out, "--format", "kdbx"], { LANVAULT_EXPORT_PASSWORD: KDBX_PASSWORD })
    expect(exported.stderr).not.toMatch(/plaintext/i)
    expect(exported.code).toBe(0)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const listing = keepassxc(["ls", "-R", "-f", out], `${KDBX_PASSWORD}\n`)
    expect(listing).toContain("Social/Forums/Forum")
    expect(listing).toContain("Visa")
    expect(keepassxc(["show", "-s", "-a", "Password", out, "Social/Forums/Forum"], `${KDBX_PASSWORD}\n`).trim()).toBe('pa,ss"word')
    expect(keepassxc(["show", "-s", "-a", "PIN", out, "Social/Forums/Forum"], `${KDBX_PASSWORD}\n`).trim()).toBe("1234")
    expect(keepassxc(["show", "-s", "-a", "Password", out, "Visa"], `${KDBX_PASSWORD}\n`)).toBe("\n")
    expect(codesAroundNow(TOTP_SECRET)).toContain(keepassxc(["show", "-t", out, "Social/Forums/Forum"], `${KDBX_PASSWORD}\n`).trim())
    // KeePassXC rewrites the file (KDBX 4, Argon2id as exported): lanvault reads KeePassXC's writing back, history included.
    keepassxc(["edit", "-t", "Visa card", out, "Visa"], `${KDBX_PASSWORD}\n`)
    const b = await startFirstDevice("beta")
    const back = await b.cli(["import", out, "--json"], { LANVAULT_IMPORT_PASSWORD: KDBX_PASSWORD })
    expect(back.code).toBe(0)
    const records = await Promise.all((await b.client!.call("records.list", {})).map((s) => b.client!.call("records.get", { id: s.id })))
    const forum = records.find((r) => r.title === "Forum")!
    expect(forum).toMatchObject({ type: "login", tags: ["Social/Forums", "Work"], notes: "first line\nsecond — ünïcode" })
    expect(forum.fields).toMatchObject({ password: { value: 'pa,ss"word', kind: "secret" }, PIN: { value: "1234", kind: "secret" }, url: { value: "https://forum.example", kind: "url" } })
    // The bare secret lanvault held went out as an otpauth URI (KeePassXC needs one) and comes back as it was.
    expect(forum.fields.totp).toEqual({ value: TOTP_SECRET, kind: "totp" })
    const visa = records.find((r) => r.title === "Visa card")!
    expect(visa).toMatchObject({ type: "card", fields: { number: { value: "4222222222222", kind: "secret" } } })
    const history = await b.client!.call("records.history", { id: visa.id })
    expect(history.map((entry) => [entry.field, entry.value])).toEqual(expect.arrayContaining([["number", "4111111111111111"], ["title", "Visa"]]))
  }, 120_000)
})

describe("import and export files: detection, checks before reading, safe writes", () => {
  it("detects each format without --format, says which it used, and re-imports lanvault's own CSV export", async () => {
    const a = await startFirstDevice("alpha")
    const lastpass = await a.cli(["import", join(FIXTURES, "lastpass.csv")])
    expect(lastpass.code).toBe(0)
    expect(lastpass.stdout).toMatch(/Read as lastpass-csv \(detected: CSV header of lastpass-csv\)/)
    expect(lastpass.stdout).toMatch(/^4 imported, 2 skipped/m)
    expect(lastpass.stdout).toMatch(/skipped line 15 "Empty folder"/)
    expect(lastpass.stdout).toMatch(/skipped line 16 "Mail": identical to line 2/)
    for (const name of ["enpass.json", "proton.zip", "onepassword.1pux", "keepass.xml", "firefox.csv", "keeper.csv"]) {
      const result = await a.cli(["import", join(FIXTURES, name)])
      expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 0, stderr: "" })
    }
    const onepux = await a.cli(["import", join(FIXTURES, "onepassword.1pux")])
    expect(onepux.stdout).toMatch(/skipped "Mail": identical to a record already in the vault/)
    const csv = join(a.home, "own.csv")
    expect((await a.cli(["export", csv, "--format", "csv", "--yes"])).code).toBe(0)
    const b = await startFirstDevice("beta")
    const again = await b.cli(["import", csv])
    expect(again.stderr).toBe("")
    expect(again.stdout).toMatch(/Read as csv/)
    expect((await b.client!.call("records.list", {})).length).toBe((await a.client!.call("records.list", {})).length)
  }, 90_000)

  it("keeps a differing entry under the same title, user and URL as its own record and says so per line", async () => {
    const a = await startFirstDevice("alpha")
    const csv = join(a.home, "two.csv")
    writeFileSync(csv, "name,url,username,password,note\nmail,https://m.example,ann,first-pw,one\nmail,https://m.example,ann,second-pw,two\n")
    const result = await a.cli(["import", csv])
    expect(result.stdout).toMatch(/^2 imported, 0 skipped/m)
    expect(result.stdout).toMatch(/kept line 3 "mail": imported as its own record: same title, username and URL as line 2, but a different password, notes/)
    const passwords = await Promise.all((await a.client!.call("records.list", {})).map(async (s) => (await a.client!.call("records.get", { id: s.id })).fields.password.value))
    expect(passwords.sort()).toEqual(["first-pw", "second-pw"])
  }, 60_000)

  it("refuses a FIFO, /dev/zero and a directory to import at once, and the daemon carries on unchanged", async () => {
    const a = await startFirstDevice("alpha")
    await a.client!.call("records.create", { record: { type: "note", title: "Keep me" } })
    const fifo = join(a.home, "pipe.csv")
    execFileSync("mkfifo", [fifo])
    for (const path of [fifo, "/dev/zero", a.home]) {
      const started = performance.now()
      const error = await a.client!.call("import", { path }).then(() => undefined, (e: unknown) => e as { code?: string })
      expect({ path, code: error?.code }).toEqual({ path, code: "NOT_A_FILE" })
      expect(performance.now() - started).toBeLessThan(1_000)
      const cli = await a.cli(["import", path])
      expect(cli.code).toBe(1)
      expect(cli.stderr).toMatch(/not a regular file/)
    }
    expect((await a.client!.call("records.list", {})).map((r) => r.title)).toEqual(["Keep me"])
    expect((await a.client!.call("status", {})).locked).toBe(false)
  }, 60_000)

  it("refuses to export onto /dev/full, a FIFO or a directory, leaving them as they were", async () => {
    const a = await startFirstDevice("alpha")
    await a.client!.call("records.create", { record: { type: "note", title: "Secret", notes: "s3cret" } })
    const fifo = join(a.home, "out.fifo")
    execFileSync("mkfifo", [fifo])
    const devFull = statSync("/dev/full")
    for (const path of ["/dev/full", fifo, a.home]) {
      const result = await a.cli(["export", path, "--format", "json", "--yes"])
      expect({ path, code: result.code }).toEqual({ path, code: 1 })
      expect(result.stderr).toMatch(/not a regular file/)
    }
    expect(statSync("/dev/full").isCharacterDevice()).toBe(true)
    expect(statSync("/dev/full").rdev).toBe(devFull.rdev)
    expect(statSync(fifo).isFIFO()).toBe(true)
    const missing = await a.cli(["export", join(a.home, "no-such-dir", "out.json"), "--format", "json", "--yes"])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/ENOENT/)
    const out = join(a.home, "bitwarden.json")
    expect((await a.cli(["export", out, "--format", "bitwarden-json", "--yes"])).code).toBe(0)
    expect(JSON.parse(readFileSync(out, "utf8")).items[0]).toMatchObject({ name: "Secret", notes: "s3cret", type: 2 })
  }, 60_000)
})
