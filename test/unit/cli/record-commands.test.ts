import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { AmbiguousError, LanvaultError } from "../../../src/errors.js"
import { generate } from "../../../src/credentials/index.js"
import { estimateStrength } from "../../../src/health/index.js"
import type { HistoryEntry, RecordSummary, VaultRecord } from "../../../src/merge/types.js"
import { runCli, scriptedPrompts, startFakeDaemon, tempDir, type FakeDaemon } from "./helpers.js"

const MAIL_ID = "ab12cd34ef56ab12cd34ef56ab12cd34"
const BANK_ID = "ab99000011112222333344445555aaaa"
const OLD_ID = "7f00000000000000000000000000beef"

const MAIL: VaultRecord = {
  id: MAIL_ID,
  type: "login",
  title: "Mail",
  fields: {
    username: { value: "ann", kind: "text" },
    url: { value: "https://mail.example", kind: "url" },
    password: { value: "s3cret-mail-pw", kind: "secret" },
  },
  notes: "recovery codes in the drawer",
  tags: ["work"],
  favorite: false,
  trashed: false,
  createdAt: Date.UTC(2024, 0, 1),
  updatedAt: Date.UTC(2024, 0, 2),
}

function summary(record: VaultRecord): RecordSummary {
  const fields = Object.fromEntries(Object.entries(record.fields).map(([name, f]) => [name, f.kind === "secret" ? { kind: f.kind } : f]))
  const { notes: _notes, ...rest } = record
  return { ...rest, fields }
}

const BANK = summary({ ...MAIL, id: BANK_ID, title: "Bank", fields: { iban: { value: "DE00", kind: "text" } } })
const OLD = summary({ ...MAIL, id: OLD_ID, title: "Old forum", trashed: true, fields: {} })

describe("record commands against a fake daemon", () => {
  const { dir: home, cleanup } = tempDir()
  let daemon: FakeDaemon

  beforeAll(async () => {
    daemon = await startFakeDaemon(home)
  })
  afterEach(() => {
    daemon.calls.length = 0
    for (const key of Object.keys(daemon.handlers)) delete daemon.handlers[key]
    daemon.handlers["records.list"] = (params) => (params.trash ? [OLD] : [summary(MAIL), BANK])
    daemon.handlers.status = () => ({ locked: false })
    // The daemon judges typed secrets (the CLI loads no estimator of its own).
    daemon.handlers.strength = (params) => estimateStrength(params.secret as string, params.context as string[])
  })
  afterAll(async () => {
    await daemon.close()
    cleanup()
  })

  const methods = () => daemon.calls.map((call) => call.method)

  it("refuses --field with a secret-looking name with exit 2 before any call", async () => {
    for (const field of ["password=hunter22", "PIN=1234", "api_key=abc", "totp=JBSW", "card-cvv=123"]) {
      const result = await runCli(["add", "--type", "login", "--title", "Bank", "--field", field], { home })
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("--secret-field")
      expect(result.stderr).toContain("`ps`")
      expect(result.stderr).not.toContain(field.split("=")[1])
    }
    expect(daemon.calls).toEqual([])
  })

  it("adds a record: secret fields from stdin lines in order, kinds inferred, prints the id", async () => {
    daemon.handlers["records.create"] = () => ({ id: MAIL_ID })
    const args = ["add", "--type", "login", "--title", "Mail", "--field", "username=ann", "--field", "url=https://mail.example", "--field", "email=ann@example.org"]
    const secrets = ["--secret-field", "password", "--secret-field", "pin", "--secret-field", "totp"]
    const result = await runCli([...args, ...secrets, "--tag", "work", "--tag", "mail", "--favorite", "--notes", "n"], { home, stdin: "first-pw\n1234\nJBSWY3DP\n" })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`${MAIL_ID}\n`)
    // Typed secrets that are easy to guess get a warning (never the value); the TOTP seed is not judged.
    expect(result.stderr.split("\n").filter(Boolean).map((line) => line.match(/^warning: the value of "(\w+)" is easy to guess/)?.[1])).toEqual(["password", "pin"])
    expect(result.stderr).not.toMatch(/first-pw|1234/)
    // After the create, the daemon's estimator judges each typed secret with the title as context.
    expect(daemon.calls.map((call) => call.method)).toEqual(["status", "records.create", "strength", "strength"])
    expect(daemon.calls.slice(2).map((call) => call.params)).toEqual([{ secret: "first-pw", context: ["Mail"] }, { secret: "1234", context: ["Mail"] }])
    expect(daemon.calls[1]).toEqual(
      {
        method: "records.create",
        params: {
          record: {
            type: "login",
            title: "Mail",
            fields: {
              username: { value: "ann", kind: "text" },
              url: { value: "https://mail.example", kind: "url" },
              email: { value: "ann@example.org", kind: "email" },
              password: { value: "first-pw", kind: "secret" },
              pin: { value: "1234", kind: "secret" },
              totp: { value: "JBSWY3DP", kind: "totp" },
            },
            notes: "n",
            tags: ["work", "mail"],
            favorite: true,
          },
        },
      },
    )
  })

  it("add --json prints exactly the method's result", async () => {
    daemon.handlers["records.create"] = () => ({ id: MAIL_ID })
    const result = await runCli(["add", "--type", "note", "--title", "N", "--json"], { home })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ id: MAIL_ID })
  })

  it("refuses with exit 2 when stdin has no line for a secret field, and creates nothing", async () => {
    daemon.handlers["records.create"] = () => ({ id: MAIL_ID })
    const result = await runCli(["add", "--type", "login", "--title", "X", "--secret-field", "password", "--secret-field", "pin"], { home, stdin: "only-one\n" })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('secret field "pin"')
    expect(result.stderr).not.toContain("only-one")
    expect(methods()).not.toContain("records.create")
  })

  it("takes secret fields from a hidden prompt on a terminal", async () => {
    daemon.handlers["records.create"] = () => ({ id: MAIL_ID })
    const prompts = scriptedPrompts(["typed-secret"])
    const result = await runCli(["add", "--type", "login", "--title", "X", "--secret-field", "password"], { home, tty: true, prompts })
    expect(result.code).toBe(0)
    expect(prompts.questions).toEqual(['Value of "password" (hidden):'])
    expect(daemon.calls[1].params).toMatchObject({ record: { fields: { password: { value: "typed-secret", kind: "secret" } } } })
  })

  it("does not ask for secret fields when the vault is locked (exit 3)", async () => {
    daemon.handlers.status = () => ({ locked: true })
    const prompts = scriptedPrompts([])
    const result = await runCli(["add", "--type", "login", "--title", "X", "--secret-field", "password"], { home, tty: true, prompts })
    expect(result.code).toBe(3)
    expect(prompts.questions).toEqual([])
    expect(methods()).toEqual(["status"])
  })

  it("--generate fills a secret field with a strong password it never prints", async () => {
    daemon.handlers["records.create"] = () => ({ id: MAIL_ID })
    daemon.handlers.generate = (params) => generate(params)
    const result = await runCli(["add", "--type", "login", "--title", "X", "--generate", "password", "--length", "32"], { home })
    expect(result.code).toBe(0)
    expect(daemon.calls[0]).toEqual({ method: "generate", params: { length: 32 } })
    const field = (daemon.calls.at(-1)!.params as { record: VaultRecord }).record.fields.password
    expect(field.kind).toBe("secret")
    expect(field.value).toHaveLength(32)
    expect(result.stdout + result.stderr).not.toContain(field.value)
    expect(result.stderr).toContain("a password of 32 characters")
  })

  it("lists records as a table and as the method's JSON", async () => {
    const table = await runCli(["list"], { home })
    expect(table.code).toBe(0)
    const lines = table.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+TITLE\s+LOGIN$/)
    expect(lines[1]).toMatch(/^ab12cd34\s+login\s+Mail\s+ann  https:\/\/mail\.example$/)
    expect(lines[2]).toMatch(/^ab990000\s+login\s+Bank$/)
    const json = await runCli(["list", "--query", "ma", "--type", "login", "--tag", "work", "--json"], { home })
    expect(JSON.parse(json.stdout)).toEqual([summary(MAIL), BANK])
    expect(daemon.calls.at(-1)).toEqual({ method: "records.list", params: { query: "ma", type: "login", tag: "work", rows: true } })
    await runCli(["list", "--trash"], { home })
    expect(daemon.calls.at(-1)).toEqual({ method: "records.list", params: { trash: true, rows: true } })
  })

  it("get asks records.find for the QUERY and masks secret values unless --reveal", async () => {
    daemon.handlers["records.find"] = (params) => (params.query === "mail" ? MAIL : undefined)
    const hidden = await runCli(["get", "mail"], { home })
    expect(hidden.code).toBe(0)
    expect(hidden.stdout).toContain("ann")
    expect(hidden.stdout).toMatch(/password\s+••••••••/)
    expect(hidden.stdout).not.toContain("s3cret-mail-pw")
    expect(daemon.calls.at(-1)).toEqual({ method: "records.find", params: { query: "mail" } })
    const shown = await runCli(["get", "mail", "--reveal"], { home })
    expect(shown.stdout).toMatch(/password\s+s3cret-mail-pw/)
  })

  it("get --field prints that one value and a newline, nothing else", async () => {
    daemon.handlers["records.find"] = () => MAIL
    expect(await runCli(["get", "mail", "--field", "password"], { home })).toEqual({ code: 0, stdout: "s3cret-mail-pw\n", stderr: "" })
    expect((await runCli(["get", "mail", "--field", "Username"], { home })).stdout).toBe("ann\n")
    expect((await runCli(["get", "mail", "--field", "notes"], { home })).stdout).toBe("recovery codes in the drawer\n")
    const missing = await runCli(["get", "mail", "--field", "pin"], { home })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("username, url, password")
    expect(JSON.parse((await runCli(["get", "mail", "--field", "password", "--json"], { home })).stdout)).toMatchObject({ field: "password", value: "s3cret-mail-pw" })
  })

  it("get --json leaves secret values out unless --reveal, which prints the record as sent", async () => {
    daemon.handlers["records.find"] = () => MAIL
    const masked = JSON.parse((await runCli(["get", MAIL_ID, "--json"], { home })).stdout)
    expect(masked.fields.password).toEqual({ kind: "secret" })
    expect(masked.fields.username).toEqual({ value: "ann", kind: "text" })
    const revealed = JSON.parse((await runCli(["get", MAIL_ID, "--json", "--reveal"], { home })).stdout)
    expect(revealed).toEqual(MAIL)
  })

  it("an AMBIGUOUS answer exits 1 with the daemon's list of candidates", async () => {
    daemon.handlers["records.find"] = () => {
      throw new AmbiguousError("ab", [{ id: MAIL_ID, title: "Mail" }, { id: BANK_ID, title: "Bank" }])
    }
    const result = await runCli(["get", "ab"], { home })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('"ab" matches 2 records')
    expect(result.stderr).toContain("ab12cd34  Mail")
    expect(result.stderr).toContain("ab990000  Bank")
  })

  it("passes the daemon's NOT_FOUND on", async () => {
    daemon.handlers["records.find"] = (params) => {
      throw new LanvaultError("NOT_FOUND", `no record "${String(params.query)}"`)
    }
    const result = await runCli(["get", "ffff"], { home })
    expect(result).toMatchObject({ code: 1, stderr: 'lanvault: no record "ffff"\n' })
  })

  it("edit of a full record id resolves it with one records.get and lists no record (issue 10)", async () => {
    const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
    daemon.handlers["records.get"] = () => ({ ...MAIL, id })
    daemon.handlers["records.update"] = () => ({ ...MAIL, id })
    const result = await runCli(["edit", id.toUpperCase(), "--title", "Mail 2"], { home })
    expect(result).toMatchObject({ code: 0 })
    expect(methods()).toEqual(["records.get", "records.update"])
    expect(daemon.calls[1].params).toEqual({ id, set: { title: "Mail 2" } })
  })

  it("edit sends one patch: set, fields with their kinds kept, unset, restore", async () => {
    daemon.handlers["records.update"] = () => MAIL
    const result = await runCli(
      ["edit", "ab12", "--title", "Mail 2", "--field", "url=https://new.example", "--field", "note=x", "--secret-field", "password", "--unset", "old", "--tag", "a", "--no-favorite", "--restore"],
      { home, stdin: "new-pw\n" },
    )
    expect(result).toMatchObject({ code: 0, stdout: 'Updated "Mail" (ab12cd34).\n' })
    expect(daemon.calls.at(-1)).toEqual({ method: "strength", params: { secret: "new-pw", context: ["Mail 2"] } })
    expect(daemon.calls.at(-2)).toEqual({
      method: "records.update",
      params: {
        id: MAIL_ID,
        set: {
          title: "Mail 2",
          tags: ["a"],
          favorite: false,
          trashed: false,
          fields: { url: { value: "https://new.example", kind: "url" }, note: { value: "x", kind: "text" }, password: { value: "new-pw", kind: "secret" } },
        },
        unset: ["old"],
      },
    })
  })

  it("edit refuses a secret on argv, an empty change and a field both set and unset, before any call", async () => {
    const refusals = [
      ["edit", "ab12", "--field", "passcode=1"],
      ["edit", "ab12"],
      ["edit", "ab12", "--field", "note=x", "--unset", "note"],
      ["edit", "ab12", "--secret-field", "password=oops"],
    ]
    for (const args of refusals) expect({ args, code: (await runCli(args, { home })).code }).toEqual({ args, code: 2 })
    expect(daemon.calls).toEqual([])
  })

  it("edit refuses to put an argv value into a field that holds a secret", async () => {
    daemon.handlers["records.list"] = (params) => (params.trash ? [] : [summary({ ...MAIL, fields: { answer: { value: "blue", kind: "secret" } } })])
    daemon.handlers["records.update"] = () => MAIL
    const result = await runCli(["edit", "ab12", "--field", "answer=red"], { home })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--secret-field answer")
    expect(methods()).not.toContain("records.update")
  })

  it("rm trashes; rm --permanent needs --yes without a terminal", async () => {
    daemon.handlers["records.delete"] = (params) => ({ id: params.id, permanent: params.permanent })
    const trashed = await runCli(["rm", "ab12"], { home })
    expect(trashed.code).toBe(0)
    expect(trashed.stdout).toContain('Moved "Mail" to the trash')
    expect(daemon.calls.at(-1)).toEqual({ method: "records.delete", params: { id: MAIL_ID, permanent: false } })
    daemon.calls.length = 0
    const refused = await runCli(["rm", "ab12", "--permanent"], { home })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--yes")
    expect(methods()).not.toContain("records.delete")
    const confirmed = await runCli(["rm", "ab12", "--permanent", "--yes", "--json"], { home })
    expect(JSON.parse(confirmed.stdout)).toEqual({ id: MAIL_ID, permanent: true })
  })

  it("rm --permanent on a terminal asks, and a no changes nothing", async () => {
    daemon.handlers["records.delete"] = (params) => ({ id: params.id, permanent: params.permanent })
    const result = await runCli(["rm", "ab12", "--permanent"], { home, tty: true, prompts: scriptedPrompts([], ["n"]) })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("cancelled")
    expect(methods()).not.toContain("records.delete")
  })

  it("history masks secret values unless --reveal, and names the device that made each value", async () => {
    const entries: Array<HistoryEntry & { deviceName?: string }> = [
      { field: "username", value: "annie", kind: "text", changedAt: Date.UTC(2024, 0, 3), reason: "edited" },
      { field: "password", value: "older-pw", kind: "secret", changedAt: Date.UTC(2024, 0, 4), reason: "conflict", deviceId: "b".repeat(32), deviceName: "laptop" },
      { field: "title", value: "Old", kind: "text", changedAt: Date.UTC(2024, 0, 2), reason: "edited", deviceId: "c".repeat(32) },
    ]
    daemon.handlers["records.history"] = () => entries
    const table = await runCli(["history", "ab12"], { home })
    expect(table.stdout).toMatch(/REASON\s+MADE BY\s+VALUE/)
    expect(table.stdout).toMatch(/password\s+conflict\s+laptop\s+••••••••/)
    expect(table.stdout).toMatch(/username\s+edited\s+-\s+annie/)
    expect(table.stdout).toMatch(/title\s+edited\s+cccccccc\s+Old/)
    expect(table.stdout).not.toContain("older-pw")
    const json = JSON.parse((await runCli(["history", "ab12", "--json"], { home })).stdout)
    expect(json[1]).toEqual({ field: "password", kind: "secret", changedAt: entries[1].changedAt, reason: "conflict", deviceId: "b".repeat(32), deviceName: "laptop" })
    expect(JSON.parse((await runCli(["history", "ab12", "--json", "--reveal"], { home })).stdout)).toEqual(entries)
  })
})
