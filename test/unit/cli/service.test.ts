import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { symlinkSync } from "node:fs"
import { findExecutable, installService, stableBinPath, uninstallService, type ServiceDeps } from "../../../src/cli/service-command.js"
import { launchdPlist, serviceFilePath, serviceNames, systemdQuote, systemdUnit } from "../../../src/cli/service-files.js"
import { runCli, tempDir } from "./helpers.js"

const SPEC = { execPath: "/usr/bin/node", binPath: "/opt/lanvault/bin/lanvault.js", home: "/home/ann/.local/share/lanvault" }

describe("service file text", () => {
  it("a systemd user unit runs `node FLAGS bin daemon --home HOME` with a small heap and restarts it on failure", () => {
    const unit = systemdUnit(SPEC)
    expect(unit).toContain("\nExecStart=/usr/bin/node --v8-pool-size=1 /opt/lanvault/bin/lanvault.js daemon --home /home/ann/.local/share/lanvault\n")
    expect(unit).toContain("\nRestart=on-failure\n")
    expect(unit).toContain("[Install]\nWantedBy=default.target\n")
    expect(unit.match(/^Environment=.*$/gm)).toBeNull()
  })

  it("quotes words with spaces and escapes systemd's % and $", () => {
    expect(systemdQuote("/plain/path")).toBe("/plain/path")
    expect(systemdQuote("/home/ann/My Vault")).toBe('"/home/ann/My Vault"')
    expect(systemdQuote('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(systemdQuote("/x/100%/$HOME")).toBe("/x/100%%/$$HOME")
    const unit = systemdUnit({ ...SPEC, home: "/home/ann/My Vault", environment: { LANVAULT_SOCKET: "/run/lv.sock" } })
    expect(unit).toContain('daemon --home "/home/ann/My Vault"\n')
    expect(unit).toContain("\nEnvironment=LANVAULT_SOCKET=/run/lv.sock\n")
  })

  it("a launchd agent lists the same argv, escaped for XML, and restarts on a failed exit", () => {
    const plist = launchdPlist({ ...SPEC, home: "/Users/ann/a&b <vault>" })
    const strings = [...plist.matchAll(/<string>(.*)<\/string>/g)].map((m) => m[1])
    expect(strings.slice(0, 7)).toEqual(["com.lanvault.daemon", "/usr/bin/node", "--v8-pool-size=1", "/opt/lanvault/bin/lanvault.js", "daemon", "--home", "/Users/ann/a&amp;b &lt;vault&gt;"])
    expect(plist).toContain("<key>RunAtLoad</key>\n  <true/>")
    expect(plist).toContain("<key>SuccessfulExit</key>\n    <false/>")
  })

  it("goes to XDG_CONFIG_HOME (else ~/.config) on Linux and ~/Library/LaunchAgents on macOS", () => {
    expect(serviceFilePath("linux", { XDG_CONFIG_HOME: "/cfg" }, "/home/ann")).toBe("/cfg/systemd/user/lanvault.service")
    expect(serviceFilePath("linux", {}, "/home/ann")).toBe("/home/ann/.config/systemd/user/lanvault.service")
    expect(serviceFilePath("darwin", {}, "/Users/ann")).toBe("/Users/ann/Library/LaunchAgents/com.lanvault.daemon.plist")
  })
})

describe("service install and uninstall", () => {
  const cleanups: Array<() => void> = []
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

  function fixture(platform: NodeJS.Platform, pathDirs: string[] = []) {
    const { dir, cleanup } = tempDir("lv-service-")
    cleanups.push(cleanup)
    const printed: string[] = []
    const ran: string[][] = []
    const deps: ServiceDeps = {
      platform,
      env: { XDG_CONFIG_HOME: join(dir, "config"), PATH: pathDirs.join(":") },
      homeDir: dir,
      spec: { ...SPEC, home: join(dir, "vault") },
      run: (program, args) => {
        ran.push([program, ...args])
        return { ok: true, output: "" }
      },
      print: (text) => printed.push(text),
    }
    return { dir, deps, printed, ran }
  }

  /** A directory holding an executable file named `program`. */
  function binDir(dir: string, program: string): string {
    const bin = join(dir, "bin")
    mkdirSync(bin, { recursive: true })
    writeFileSync(join(bin, program), "#!/bin/sh\nexit 0\n")
    chmodSync(join(bin, program), 0o755)
    return bin
  }

  it("through main: writes this home's unit into XDG_CONFIG_HOME; without systemctl it exits 1 saying what is left to run", async () => {
    const { dir: home, cleanup } = tempDir("lv-service-")
    cleanups.push(cleanup)
    const env = { XDG_CONFIG_HOME: join(home, "config"), PATH: "/nonexistent" }
    const installed = await runCli(["service", "install"], { home, env })
    expect(installed.code).toBe(1)
    const { unit: unitName } = serviceNames(home, undefined)
    expect(unitName).toMatch(/^lanvault-[0-9a-f]{8}\.service$/)
    const unitPath = join(home, "config", "systemd", "user", unitName)
    const unit = readFileSync(unitPath, "utf8")
    expect(unit).toContain(`ExecStart=${process.execPath} `)
    expect(unit).toMatch(/\/bin\/lanvault\.js daemon --home /)
    expect(unit).toContain(home)
    expect(installed.stderr).toContain("systemctl was not found")
    expect(installed.stderr).toContain(`systemctl --user enable --now ${unitName}`)
    const removed = await runCli(["service", "uninstall"], { home, env })
    expect(removed.code).toBe(1)
    expect(existsSync(unitPath)).toBe(true)
  })

  it("names one unit per home, the same one every time; the default home keeps lanvault.service", () => {
    expect(serviceNames("/home/ann/.local/share/lanvault", "/home/ann/.local/share/lanvault")).toEqual({ unit: "lanvault.service", label: "com.lanvault.daemon" })
    const a = serviceNames("/tmp/a", "/home/ann/.local/share/lanvault")
    expect(a).toEqual(serviceNames("/tmp/a/", "/elsewhere"))
    expect(a.unit).not.toBe(serviceNames("/tmp/b", "/elsewhere").unit)
    expect(a.label).toMatch(/^com\.lanvault\.daemon\.[0-9a-f]{8}$/)
  })

  it("runs an installed lanvault from where it is installed, else the lanvault on PATH, and refuses npx's cache", () => {
    const { dir } = fixture("linux")
    const installed = join(dir, "lib", "node_modules", "lanvault", "bin", "lanvault.js")
    mkdirSync(join(dir, "lib", "node_modules", "lanvault", "bin"), { recursive: true })
    writeFileSync(installed, "")
    chmodSync(installed, 0o755)
    expect(stableBinPath({ PATH: "" }, installed)).toBe(installed)
    const checkout = join(dir, "checkout", "bin", "lanvault.js")
    mkdirSync(join(dir, "checkout", "bin"), { recursive: true })
    writeFileSync(checkout, "")
    expect(stableBinPath({ PATH: "" }, checkout)).toBe(checkout)
    mkdirSync(join(dir, "usr-bin"))
    symlinkSync(installed, join(dir, "usr-bin", "lanvault"))
    expect(stableBinPath({ PATH: join(dir, "usr-bin") }, checkout)).toBe(installed)
    expect(() => stableBinPath({ PATH: "" }, "/root/.npm/_npx/1a2b/node_modules/lanvault/bin/lanvault.js")).toThrow(expect.objectContaining({ code: "SERVICE_FAILED" }))
  })

  it("--dry-run prints the unit and writes nothing", async () => {
    const { dir: home, cleanup } = tempDir("lv-service-")
    cleanups.push(cleanup)
    const result = await runCli(["service", "install", "--dry-run"], { home, env: { XDG_CONFIG_HOME: join(home, "config") } })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Restart=on-failure")
    expect(existsSync(join(home, "config"))).toBe(false)
  })

  it("runs daemon-reload then enable --now when systemctl is on PATH; uninstall disables, removes, reloads", () => {
    const { dir, deps, ran } = fixture("linux")
    const bin = binDir(dir, "systemctl")
    deps.env.PATH = bin
    deps.defaultHome = deps.spec.home
    installService(deps)
    expect(existsSync(join(dir, "config", "systemd", "user", "lanvault.service"))).toBe(true)
    const systemctl = join(bin, "systemctl")
    expect(ran).toEqual([
      [systemctl, "--user", "daemon-reload"],
      [systemctl, "--user", "enable", "--now", "lanvault.service"],
    ])
    ran.length = 0
    uninstallService(deps)
    expect(ran).toEqual([
      [systemctl, "--user", "disable", "--now", "lanvault.service"],
      [systemctl, "--user", "daemon-reload"],
    ])
    expect(existsSync(join(dir, "config", "systemd", "user", "lanvault.service"))).toBe(false)
  })

  it("when systemctl fails, keeps the unit and fails with SERVICE_FAILED naming the commands still to run", () => {
    const { dir, deps } = fixture("linux")
    deps.env.PATH = binDir(dir, "systemctl")
    deps.defaultHome = deps.spec.home
    deps.run = () => ({ ok: false, output: "Failed to connect to bus\n" })
    let error: unknown
    try {
      installService(deps)
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({ code: "SERVICE_FAILED" })
    expect(existsSync(join(dir, "config", "systemd", "user", "lanvault.service"))).toBe(true)
    const text = (error as Error).message
    expect(text).toContain("failed: Failed to connect to bus")
    expect(text).toContain("  systemctl --user daemon-reload\n  systemctl --user enable --now lanvault.service")
  })

  it("on macOS writes the launchd agent and loads it with launchctl", () => {
    const { dir, deps, ran } = fixture("darwin")
    deps.env.PATH = binDir(dir, "launchctl")
    installService(deps)
    const { label } = serviceNames(deps.spec.home, undefined)
    const plistPath = join(dir, "Library", "LaunchAgents", `${label}.plist`)
    expect(readFileSync(plistPath, "utf8")).toContain(`<string>${label}</string>`)
    expect(readFileSync(plistPath, "utf8")).toContain("<string>daemon</string>")
    expect(ran).toEqual([[join(dir, "bin", "launchctl"), "load", "-w", plistPath]])
    uninstallService(deps)
    expect(existsSync(plistPath)).toBe(false)
  })

  it("refuses other platforms with NOT_ALLOWED", () => {
    const { deps } = fixture("win32")
    expect(() => installService(deps)).toThrow(expect.objectContaining({ code: "NOT_ALLOWED" }))
  })

  it("finds only executable files on PATH", () => {
    const { dir } = fixture("linux")
    const bin = binDir(dir, "tool")
    writeFileSync(join(bin, "plain"), "")
    expect(findExecutable("tool", `/nonexistent:${bin}`)).toBe(join(bin, "tool"))
    expect(findExecutable("plain", bin)).toBeUndefined()
    expect(findExecutable("tool", undefined)).toBeUndefined()
  })
})
