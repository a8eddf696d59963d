import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { describe, expect, it } from "vitest"

// Issue 10's layout rules, checked on the source itself so they cannot rot.
const ROOT = new URL("../..", import.meta.url).pathname
const MAX_FILE_LINES = 300
const MAX_DAEMON_LINES = 900

function filesUnder(dir: string, suffix = ".ts"): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(join(ROOT, path)).isDirectory()) return filesUnder(path, suffix)
    return path.endsWith(suffix) ? [path] : []
  })
}

const lines = (path: string) => readFileSync(join(ROOT, path), "utf8").split("\n").filter((line, i, all) => i < all.length - 1 || line !== "").length
const importsOf = (path: string) => [...readFileSync(join(ROOT, path), "utf8").matchAll(/(?:from|import\()\s*"([^"]+)"/g)].map((m) => m[1])

describe("source layout", () => {
  it(`no file in src/ is over ${MAX_FILE_LINES} lines`, () => {
    const long = filesUnder("src").filter((path) => lines(path) > MAX_FILE_LINES).map((path) => `${path}: ${lines(path)}`)
    expect(long).toEqual([])
  })

  it(`src/daemon/ is at most ${MAX_DAEMON_LINES} lines`, () => {
    const total = filesUnder("src/daemon").reduce((sum, path) => sum + lines(path), 0)
    expect(total).toBeLessThanOrEqual(MAX_DAEMON_LINES)
  })

  it("every @noble import lives in src/crypto/", () => {
    const outside = filesUnder("src").filter((path) => !path.startsWith("src/crypto/") && importsOf(path).some((spec) => spec.startsWith("@noble/")))
    expect(outside).toEqual([])
  })

  it("nothing in src/, test/ or scripts/ reads the steering folder beside the checkout (shared/)", () => {
    const self = relative(ROOT, new URL(import.meta.url).pathname)
    const readers = [...filesUnder("src"), ...filesUnder("test"), ...filesUnder("scripts")]
      .filter((path) => path !== self && /\.\.\/shared\//.test(readFileSync(join(ROOT, path), "utf8")))
    expect(readers).toEqual([])
  })

  it("the CLI imports only api/, errors and the daemon's entry points (account/ only for init, an offline reset and the kit)", () => {
    const targets = (path: string) => importsOf(path).filter((spec) => spec.startsWith(".")).map((spec) => join(dirname(path), spec))
    // Entry points the CLI starts itself. The last four came with the second wave's features and are
    // still to be routed through api/ (issue 10 follow-up); a new reach past api/ fails here.
    const entryPoints = [
      "src/errors.js", "src/daemon/run-daemon.js", "src/daemon/run-join.js", "src/account/index.js",
      "src/webapp/index.js", "src/browser/host-manifests.js", "src/kit/index.js", "src/health/index.js",
    ]
    const allowed = (target: string) => target.startsWith("src/cli/") || target.startsWith("src/api/") || entryPoints.includes(target)
    const reaching = filesUnder("src/cli").flatMap((path) => targets(path).filter((target) => !allowed(target)).map((target) => `${path} -> ${target}`))
    expect(reaching).toEqual([])
    const accountUsers = filesUnder("src/cli").filter((path) => targets(path).includes("src/account/index.js"))
    expect(accountUsers).toEqual(["src/cli/account-commands.ts", "src/cli/kit-command.ts"])
  })

  it("each folder of src/ opens with a header comment", () => {
    const folders = readdirSync(join(ROOT, "src")).filter((name) => statSync(join(ROOT, "src", name)).isDirectory())
    const bare = folders.filter((name) => !readFileSync(join(ROOT, "src", name, "index.ts"), "utf8").startsWith("/**"))
    expect(bare).toEqual([])
  })
})
