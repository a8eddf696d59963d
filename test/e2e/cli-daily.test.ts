import { execFile, spawn } from "node:child_process"
import { createHmac } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connect } from "../../src/api/client.js"
import { LanvaultError } from "../../src/errors.js"
import { PASSWORD, startDevice, type StartedDevice } from "../helpers/device-start.js"
import { BIN, freePort, runCli, tempHome, waitFor } from "./helpers/cli.js"
import { startXvfb, type XServer } from "./helpers/xvfb.js"

const MAIL_PW = "s3cret-mail-pw"
// RFC 6238 Appendix B's SHA-1 seed "12345678901234567890" in base32, 8 digits.
const RFC_SEED_B32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
const RFC_URI = `otpauth://totp/Example:ann?secret=${RFC_SEED_B32}&issuer=Example&algorithm=SHA1&digits=8&period=30`

/** RFC 6238 / RFC 4226 §5.3 with node's HMAC: the test's own reference, independent of otpauth. */
function referenceTotp(atMs: number): string {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)))
  const mac = createHmac("sha1", Buffer.from("12345678901234567890", "ascii")).update(counter).digest()
  const offset = mac[mac.length - 1] & 0xf
  return String(mac.readUInt32BE(offset) & 0x7fffffff).slice(-8).padStart(8, "0")
}

describe("everyday commands through the real CLI and a real daemon", () => {
  const { home, cleanup } = tempHome("lanvault-daily-")
  let device: StartedDevice | undefined
  let xserver: XServer | undefined
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) => runCli(args, { home, env, input })
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    device = await startDevice(home, { unlock: true, daemonArgs: ["--port", String(await freePort())] })
    const add = async (name: string, args: string[], input = "") => {
      const result = await cli(["add", "--json", ...args], {}, input)
      expect(result.stderr).toBe("")
      ids[name] = JSON.parse(result.stdout).id
    }
    await add("mail", ["--type", "login", "--title", "Mail", "--field", "username=ann", "--field", "url=https://www.mail.example/login", "--secret-field", "password", "--notes", "recovery codes in the drawer"], `${MAIL_PW}\n`)
    await add("otp", ["--type", "login", "--title", "Example", "--secret-field", "totp"], `${RFC_URI}\n`)
    await add("shop1", ["--type", "login", "--title", "Shop", "--field", "username=one"])
    await add("shop2", ["--type", "login", "--title", "shop", "--field", "username=two"])
  }, 60_000)

  afterAll(async () => {
    await xserver?.stop()
    await device?.stop()
    cleanup()
  })

  it("get finds a record by title or web address, and --field prints just the value", async () => {
    const shown = await cli(["get", "mail"])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain("ann")
    expect(shown.stdout).not.toContain(MAIL_PW)
    expect(await cli(["get", "mail.example", "--field", "password"])).toEqual({ code: 0, stdout: `${MAIL_PW}\n`, stderr: "" })
    expect((await cli(["get", ids.mail.slice(0, 6), "--field", "username"])).stdout).toBe("ann\n")
    const json = JSON.parse((await cli(["get", "https://mail.example", "--json", "--reveal"])).stdout)
    expect(json.fields.password.value).toBe(MAIL_PW)
  })

  it("get with several matches exits 1 with AMBIGUOUS and lists them; no match exits 1", async () => {
    const ambiguous = await cli(["get", "SHOP", "--field", "username"])
    expect(ambiguous.code).toBe(1)
    expect(ambiguous.stdout).toBe("")
    expect(ambiguous.stderr).toContain(ids.shop1.slice(0, 8))
    expect(ambiguous.stderr).toContain(ids.shop2.slice(0, 8))
    const none = await cli(["get", "nothing-like-this"])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain("lanvault search")
    const client = await connect({ socketPath: device!.daemon.socketPath })
    try {
      const error = await client.call("records.find", { query: "shop" }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(LanvaultError)
      expect((error as LanvaultError).code).toBe("AMBIGUOUS")
      expect(((error as LanvaultError).data?.candidates as Array<{ id: string }>).map((c) => c.id).sort()).toEqual([ids.shop1, ids.shop2].sort())
    } finally {
      client.close()
    }
  })

  it("edit and history take a title too; several matches are AMBIGUOUS", async () => {
    expect((await cli(["edit", "mail.example", "--field", "username=ann2"])).code).toBe(0)
    expect((await cli(["get", "Mail", "--field", "username"])).stdout).toBe("ann2\n")
    expect(JSON.parse((await cli(["history", "Mail", "--json"])).stdout).map((entry: { value?: string }) => entry.value)).toContain("ann")
    expect((await cli(["edit", "Mail", "--field", "username=ann"])).code).toBe(0)
    const ambiguous = await cli(["rm", "shop"])
    expect(ambiguous.code).toBe(1)
    expect(ambiguous.stderr).toContain(ids.shop1.slice(0, 8))
  })

  it("search finds words in titles, user names, URLs and notes, never in secrets", async () => {
    const drawer = JSON.parse((await cli(["search", "drawer", "--json"])).stdout)
    expect(drawer).toEqual([expect.objectContaining({ record: expect.objectContaining({ id: ids.mail }), matched: ["notes"] })])
    expect(JSON.parse((await cli(["search", "two", "--json"])).stdout).map((hit: { record: { id: string } }) => hit.record.id)).toEqual([ids.shop2])
    const table = await cli(["search", "mail.example"])
    expect(table.stdout).toMatch(/Mail\s+url/)
    expect((await cli(["search", MAIL_PW])).stdout).toBe(`No record matches "${MAIL_PW}".\n`)
    expect((await cli(["search", "GEZDGNBV"])).stdout).toContain("No record matches")
  })

  it("totp prints the current RFC 6238 code of the stored otpauth URI (8 digits respected)", async () => {
    for (let attempt = 0; ; attempt++) {
      const before = Date.now()
      const result = JSON.parse((await cli(["totp", "Example", "--json"])).stdout)
      const after = Date.now()
      // Retry if the 30 s step turned while the command ran.
      if (referenceTotp(before) !== referenceTotp(after) && attempt < 3) continue
      expect(result).toMatchObject({ code: referenceTotp(after), digits: 8, period: 30, algorithm: "SHA1", field: "totp", id: ids.otp })
      expect(result.secondsLeft).toBeGreaterThan(0)
      expect(result.secondsLeft).toBeLessThanOrEqual(30)
      break
    }
    expect((await cli(["totp", "Example"])).stdout).toMatch(/^\d{8}  \(\d+ s left\)\n$/)
    const none = await cli(["totp", "Mail"])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain("no TOTP field")
  })

  it("the totp method gives RFC 6238's published codes over the socket", async () => {
    const client = await connect({ socketPath: device!.daemon.socketPath })
    try {
      expect((await client.call("totp", { query: "example", at: 59_000 })).code).toBe("94287082")
      expect((await client.call("totp", { id: ids.otp, at: 1_111_111_109_000 })).code).toBe("07081804")
      expect((await client.call("totp", { id: ids.otp, at: 20_000_000_000_000 })).code).toBe("65353130")
    } finally {
      client.close()
    }
  })

  it("generate makes passwords and EFF-list passphrases; add --generate takes the same options", async () => {
    expect((await cli(["generate"])).stdout).toMatch(/^\S{24}\n$/)
    expect((await cli(["generate", "--length", "12", "--no-symbols", "--no-digits"])).stdout).toMatch(/^[A-Za-z]{12}\n$/)
    const phrase = JSON.parse((await cli(["generate", "--words", "5", "--separator", ".", "--json"])).stdout)
    expect(phrase).toMatchObject({ kind: "passphrase", entropyBits: 64 })
    expect(phrase.value).toMatch(/^[a-z]+(\.[a-z]+){4}$/)
    expect((await cli(["generate", "--length", "4"])).code).toBe(2)
    const added = await cli(["add", "--type", "login", "--title", "Router", "--generate", "password", "--words", "4", "--json"])
    expect(added.stderr).toContain("a passphrase of 4 words")
    const value = (await cli(["get", "Router", "--field", "password"])).stdout
    expect(value).toMatch(/^[a-z]+(-[a-z]+){3}\n$/)
    expect(added.stdout + added.stderr).not.toContain(value.trim())
  })

  it("completion bash completes commands, subcommands and fixed values in a real bash", async () => {
    const script = join(home, "completion.bash")
    writeFileSync(script, (await cli(["completion", "bash"])).stdout)
    const complete = async (...words: string[]) => {
      const line = `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _lanvault; printf '%s\\n' "\${COMPREPLY[@]}"`
      const { stdout } = await promisify(execFile)("bash", ["--norc", "-c", line])
      return stdout.trim().split("\n").sort()
    }
    expect(await complete("lanvault", "ge")).toEqual(["generate", "get"])
    expect(await complete("lanvault", "completion", "")).toEqual(["--help", "-h", "bash", "fish", "zsh"])
    expect(await complete("lanvault", "--home", "/tmp", "folder", "")).toEqual(expect.arrayContaining(["add", "list", "remove"]))
    expect(await complete("lanvault", "copy", "Mail", "--cl")).toEqual(["--clear-after"])
    expect((await cli(["completion", "tcsh"])).code).toBe(2)
  })

  it("completion fish completes in a real fish; completion zsh parses and registers in a real zsh", async () => {
    const run = promisify(execFile)
    const fishScript = join(home, "lanvault.fish")
    writeFileSync(fishScript, (await cli(["completion", "fish"])).stdout)
    const fish = async (line: string) => {
      const { stdout } = await run("fish", ["--no-config", "-c", `source ${fishScript}; complete -C '${line}'`])
      return stdout.trim().split("\n").map((entry) => entry.split("\t")[0]).sort()
    }
    expect(await fish("lanvault ge")).toEqual(["generate", "get"])
    expect(await fish("lanvault completion ")).toEqual(["bash", "fish", "zsh"])
    expect(await fish("lanvault folder ")).toEqual(["add", "list", "remove"])
    expect(await fish("lanvault copy Mail --cl")).toEqual(["--clear-after"])
    const zshScript = join(home, "_lanvault")
    writeFileSync(zshScript, (await cli(["completion", "zsh"])).stdout)
    await run("zsh", ["-n", zshScript])
    const { stdout } = await run("zsh", ["-fc", `autoload -U compinit; compinit -u -d ${join(home, "zcompdump")}; source ${zshScript}; print -r -- $_comps[lanvault]; whence -w _lanvault_folder_add`])
    expect(stdout).toBe("_lanvault\n_lanvault_folder_add: function\n")
  })

  it("a second daemon on a taken port says how to pick another, without a stack", async () => {
    const { port } = JSON.parse((await cli(["status", "--json"])).stdout)
    const other = tempHome("lanvault-daily-other-")
    try {
      expect((await runCli(["init"], { home: other.home, env: { LANVAULT_PASSWORD: PASSWORD } })).code).toBe(0)
      const second = await runCli(["daemon", "--no-mdns", "--port", String(port)], { home: other.home })
      expect(second.code).toBe(1)
      expect(second.stderr).toContain(`lanvault: port ${port} on 0.0.0.0 is already in use`)
      expect(second.stderr).toContain("lanvault daemon --port N")
      expect(second.stderr).not.toMatch(/\n\s+at /)
    } finally {
      other.cleanup()
    }
  })

  it("pair prints this device's real port and no placeholder; status, peer list and devices speak one vocabulary", async () => {
    const { port } = JSON.parse((await cli(["status", "--json"])).stdout)
    const pair = await cli(["pair", "--seconds", "5", "--no-wait"])
    expect(pair.code).toBe(0)
    expect(pair.stdout).toContain("finds this device by mDNS")
    expect(pair.stdout).toContain(`:${port} --account-key-stdin`)
    expect(pair.stdout).not.toContain("THIS-HOST")
    const nobody = await freePort()
    expect((await cli(["peer", "add", `127.0.0.1:${nobody}`])).code).toBe(0)
    const row = new RegExp(`127\\.0\\.0\\.1:${nobody}\\s+(connecting|retrying[^\\n]*|refused[^\\n]*)\\s+peer add`)
    await waitFor(async () => row.test((await cli(["peer", "list"])).stdout), "peer list to show the address")
    expect((await cli(["peer", "list"])).stdout).toMatch(/^DEVICE\s+ADDRESS\s+CONNECTION\s+FOUND BY\n/)
    expect((await cli(["status"])).stdout).toMatch(row)
    expect((await cli(["devices"])).stdout).toMatch(/^ID\s+NAME\s+CONNECTION\s+ADDRESS\s+LAST SEEN\n\S+\s+desk \(this device\)\s+this device/)
    expect((await cli(["peer", "remove", `127.0.0.1:${nobody}`])).code).toBe(0)
  })

  it("list piped into head ends quietly", async () => {
    const csv = ["name,url,username,password,note", ...Array.from({ length: 600 }, (_, i) => `Site ${i} ${"x".repeat(80)},https://s${i}.example,user${i},pw${i}-secret,`)]
    const file = join(home, "many.csv")
    writeFileSync(file, `${csv.join("\n")}\n`)
    expect((await cli(["import", file, "--format", "chrome-csv"])).code).toBe(0)
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const shell = spawn("bash", ["-c", `set -o pipefail; "${process.execPath}" "${BIN}" list | head -2; echo "exit \${PIPESTATUS[0]}" >&2`], {
        env: { PATH: process.env.PATH, HOME: home, LANVAULT_HOME: home },
      })
      let stdout = ""
      let stderr = ""
      shell.stdout.on("data", (chunk) => (stdout += chunk))
      shell.stderr.on("data", (chunk) => (stderr += chunk))
      shell.on("close", (code) => resolve({ code, stdout, stderr }))
    })
    expect(result.stdout.split("\n")).toHaveLength(3)
    expect(result.stderr).toBe("exit 0\n")
  })

  describe("copy, through xclip on a private X server", () => {
    let display = ""
    const clipboard = async () => {
      try {
        return (await promisify(execFile)("xclip", ["-selection", "clipboard", "-out"], { env: { ...process.env, DISPLAY: display } })).stdout
      } catch {
        return ""
      }
    }
    const setClipboard = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn("xclip", ["-selection", "clipboard", "-in"], { env: { ...process.env, DISPLAY: display }, stdio: ["pipe", "ignore", "ignore"] })
        child.once("error", reject)
        child.once("exit", () => resolve())
        child.stdin.end(text)
      })

    beforeAll(async () => {
      xserver = await startXvfb()
      display = xserver.display
    }, 30_000)

    it("copies the password and clears it after --clear-after seconds", async () => {
      const result = await cli(["copy", "Mail", "--clear-after", "2"], { DISPLAY: display })
      expect(result.code).toBe(0)
      expect(result.stdout).toBe("")
      expect(result.stderr).toContain("xclip")
      expect(result.stderr).not.toContain(MAIL_PW)
      expect(await clipboard()).toBe(MAIL_PW)
      await waitFor(async () => (await clipboard()) === "", "the clipboard to be cleared", 15_000)
    })

    it("leaves the clipboard alone when it no longer holds the copied value; copies a TOTP field as its code", async () => {
      expect((await cli(["copy", "mail.example", "--field", "username", "--clear-after", "1"], { DISPLAY: display })).code).toBe(0)
      expect(await clipboard()).toBe("ann")
      await setClipboard("something the person copied since")
      await new Promise((r) => setTimeout(r, 3_000))
      expect(await clipboard()).toBe("something the person copied since")
      expect((await cli(["copy", "Example", "--field", "totp", "--clear-after", "0"], { DISPLAY: display })).code).toBe(0)
      expect(await clipboard()).toMatch(/^\d{8}$/)
    })

    it("names the tool to install when there is none, and says when there is no graphical session", async () => {
      const noTool = await cli(["copy", "Mail"], { DISPLAY: display, PATH: join(home, "empty-path") })
      expect(noTool.code).toBe(1)
      expect(noTool.stderr).toContain("xclip")
      expect(noTool.stderr).not.toContain(MAIL_PW)
      const noDisplay = await cli(["copy", "Mail"])
      expect(noDisplay.code).toBe(1)
      expect(noDisplay.stderr).toContain("DISPLAY")
    })
  })
})
