import { PassThrough, Readable } from "node:stream"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { looksSecret, refuseSecretOptions } from "../../../src/cli/argv-guard.js"
import { matchIdPrefix } from "../../../src/cli/id-prefix.js"
import { inferKind, planFields } from "../../../src/cli/record-input.js"
import { SecretReader } from "../../../src/cli/secrets.js"
import { StdinLines } from "../../../src/cli/stdin-lines.js"
import { LanvaultError } from "../../../src/errors.js"
import { codeOf } from "../../helpers/error-code.js"

async function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    return error instanceof LanvaultError ? error.code : "untyped"
  }
  return undefined
}

describe("stdin lines", () => {
  it("hands out lines in order across chunks, without CR/LF, and undefined at the end", async () => {
    const stream = new PassThrough()
    const lines = new StdinLines(stream)
    const first = lines.next()
    stream.write("one\r\ntw")
    expect(await first).toBe("one")
    const second = lines.next()
    stream.write("o\n\nlast-without-newline")
    stream.end()
    expect(await second).toBe("two")
    expect(await lines.next()).toBe("")
    expect(await lines.next()).toBe("last-without-newline")
    expect(await lines.next()).toBeUndefined()
    expect(await lines.next()).toBeUndefined()
  })

  it("keeps multi-byte characters split between chunks whole", async () => {
    const bytes = Buffer.from("pässwörd\n")
    const lines = new StdinLines(Readable.from([bytes.subarray(0, 2), bytes.subarray(2)], { objectMode: false }))
    expect(await lines.next()).toBe("pässwörd")
  })

  it("reads any text split anywhere back as the same lines", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: "grapheme" }).filter((s) => !/[\r\n]/.test(s)), { maxLength: 5 }), fc.nat(50), async (input, cut) => {
        const text = input.map((line) => `${line}\n`).join("")
        const bytes = Buffer.from(text)
        const at = Math.min(cut, bytes.length)
        const lines = new StdinLines(Readable.from([bytes.subarray(0, at), bytes.subarray(at)].filter((b) => b.length > 0)))
        const read: string[] = []
        for (let line = await lines.next(); line !== undefined; line = await lines.next()) read.push(line)
        expect(read).toEqual(input)
      }),
    )
  })
})

describe("secret reader", () => {
  const io = (stdin: string, env: NodeJS.ProcessEnv = {}) => {
    const stream = new PassThrough()
    stream.end(stdin)
    return { stdin: stream, stdout: new PassThrough(), stderr: new PassThrough(), env }
  }

  it("shares one stdin between passwords and secret fields, in order", async () => {
    const reader = new SecretReader(io("current-pw\nnew-password\nfield-one\n"))
    expect(await reader.password({ label: "current account password", envVar: "LANVAULT_PASSWORD", fromStdin: true })).toBe("current-pw")
    expect(await reader.password({ label: "new account password", envVar: "LANVAULT_NEW_PASSWORD", fromStdin: true, isNew: true })).toBe("new-password")
    expect(await reader.secretField("pin")).toBe("field-one")
    expect(await rejectionCode(reader.secretField("cvv"))).toBe("USAGE")
  })

  it("prefers the environment variable over stdin", async () => {
    const reader = new SecretReader(io("from-stdin\n", { LANVAULT_NEW_PASSWORD: "from-the-env" }))
    expect(await reader.password({ label: "new account password", envVar: "LANVAULT_NEW_PASSWORD", fromStdin: true, isNew: true })).toBe("from-the-env")
    expect(await reader.secretField("x")).toBe("from-stdin")
  })

  it("refuses empty values and short new passwords, never quoting them", async () => {
    const reader = new SecretReader(io("\nseven77\n\n"))
    const request = { label: "account password", envVar: "LANVAULT_PASSWORD", fromStdin: true } as const
    expect(await rejectionCode(reader.password(request))).toBe("USAGE")
    await expect(reader.password({ ...request, isNew: true })).rejects.toThrow(/^the account password must have at least 8 characters$/)
    expect(await rejectionCode(reader.secretField("pin"))).toBe("USAGE")
  })

  it("join --account-key-stdin on a terminal reads the key from a hidden prompt, never an echoed line", async () => {
    const hidden: string[] = []
    const terminal = Object.assign(io("LV1-ECHOED-IF-READ\n"), {
      prompts: { hidden: async (message: string) => (hidden.push(message), "LV1-TYPED-HIDDEN"), ask: async () => "" },
    })
    Object.assign(terminal.stdin, { isTTY: true })
    expect(await new SecretReader(terminal).accountKey(true)).toBe("LV1-TYPED-HIDDEN")
    expect(hidden).toHaveLength(1)
    expect(await new SecretReader(io("LV1-FROM-A-PIPE\n")).accountKey(true)).toBe("LV1-FROM-A-PIPE")
  })

  it("without a terminal, a confirmation needs --yes", async () => {
    const reader = new SecretReader(io(""))
    await expect(reader.confirm("sure?", { yes: true })).resolves.toBeUndefined()
    expect(await rejectionCode(reader.confirm("sure?", { yes: undefined }))).toBe("USAGE")
  })
})

describe("argv guard", () => {
  it("refuses password, account key and secret options in every spelling", () => {
    for (const option of ["--password", "--password=x", "--new-password", "--passphrase", "--account-key", "--accountkey=LV1", "--secret", "--pin=1", "--token"]) {
      expect({ option, code: codeOf(() => refuseSecretOptions(["unlock", option])) }).toEqual({ option, code: "USAGE" })
    }
  })

  it("lets the safe options through, and everything after --", () => {
    expect(codeOf(() => refuseSecretOptions(["unlock", "--password-stdin", "--secret-field", "pw", "--account-key-stdin", "--field", "url=x"]))).toBeUndefined()
    expect(codeOf(() => refuseSecretOptions(["get", "--", "--password"]))).toBeUndefined()
  })

  it("tells secret-looking field names from plain ones", () => {
    for (const name of ["password", "Passcode", "pin", "CVV", "cvc", "otp", "totp", "private_key", "apiKey", "client-secret"]) expect({ name, secret: looksSecret(name) }).toEqual({ name, secret: true })
    for (const name of ["username", "url", "email", "title", "iban", "phone", "shipping", "keyboard", "monkey", "spinach"]) expect({ name, secret: looksSecret(name) }).toEqual({ name, secret: false })
  })
})

describe("record input", () => {
  it("infers kinds from names", () => {
    expect(["url", "website", "uri", "uri2", "email", "totp", "otp", "username"].map((n) => inferKind(n, false))).toEqual(["url", "url", "url", "url", "email", "totp", "totp", "text"])
    expect(inferKind("password", true)).toBe("secret")
    expect(inferKind("totp", true)).toBe("totp")
  })

  it("plans fields: NAME=VALUE split at the first =, duplicates and bad syntax refused", () => {
    expect(planFields({ field: ["note=a=b", " user =ann"], secretField: ["pw"], generate: ["gen"] })).toEqual({
      plain: [{ name: "note", value: "a=b" }, { name: "user", value: "ann" }],
      secret: ["pw"],
      generate: ["gen"],
      generator: {},
    })
    expect(planFields({ generate: ["pw"], words: 5, separator: "." }).generator).toEqual({ words: 5, separator: "." })
    expect(planFields({ generate: ["pw"], length: 12, symbols: false, digits: true }).generator).toEqual({ length: 12, symbols: false })
    expect(codeOf(() => planFields({ generate: ["pw"], words: 5, length: 12 }))).toBe("USAGE")
    expect(codeOf(() => planFields({ generate: ["pw"], separator: "." }))).toBe("USAGE")
    expect(codeOf(() => planFields({ field: ["novalue"] }))).toBe("USAGE")
    expect(codeOf(() => planFields({ field: ["=x"] }))).toBe("USAGE")
    expect(codeOf(() => planFields({ field: ["a=1"], secretField: ["a"] }))).toBe("USAGE")
    expect(codeOf(() => planFields({ generate: ["pw=hunter2"] }))).toBe("USAGE")
  })
})

describe("id prefixes", () => {
  const items = [{ id: "ab12" }, { id: "AB34" }, { id: "ab" }, { id: "cd00" }]
  const idOf = (item: { id: string }) => item.id

  it("an exact id wins over longer ids it prefixes; otherwise every id it starts matches, case-insensitively", () => {
    expect(matchIdPrefix(items, "ab", idOf)).toEqual([{ id: "ab" }])
    expect(matchIdPrefix(items, "aB3", idOf)).toEqual([{ id: "AB34" }])
    expect(matchIdPrefix(items, "a", idOf)).toHaveLength(3)
    expect(matchIdPrefix(items, "ef", idOf)).toEqual([])
    expect(matchIdPrefix(items, " ", idOf)).toEqual([])
  })
})
