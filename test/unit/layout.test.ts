import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import {
  ACCOUNT_ID_OWNERS, CLI_ENTRY_POINTS, COMPOSITION_ROOT, MAX_DAEMON_LINES, MAX_FILE_LINES, SourceTree, cliReach, daemonLines, importCycles, longFiles,
  accountIdReaders, vaultStoreUsers, wholeVaultStoreUsers,
} from "../../scripts/layout-report.js"

// Issue 10's layout rules, checked on the source itself so they cannot rot (scripts/layout-report.ts prints the same figures).
const ROOT = new URL("../..", import.meta.url).pathname
const tree = new SourceTree(ROOT)

describe("source layout", () => {
  it(`no file in src/ is over ${MAX_FILE_LINES} lines`, () => {
    expect(longFiles(tree)).toEqual([])
  })

  it(`src/daemon/ is at most ${MAX_DAEMON_LINES} lines`, () => {
    expect(daemonLines(tree).lines).toBeLessThanOrEqual(MAX_DAEMON_LINES)
  })

  it("every @noble import lives in src/crypto/", () => {
    const outside = tree.files().filter((path) => !path.startsWith("src/crypto/") && tree.imports(path).some((ref) => ref.spec.startsWith("@noble/")))
    expect(outside).toEqual([])
  })

  it("nothing in src/, test/ or scripts/ reads the steering folder beside the checkout (shared/)", () => {
    const self = relative(ROOT, new URL(import.meta.url).pathname)
    const readers = [...tree.files("src"), ...tree.files("test"), ...tree.files("scripts")]
      .filter((path) => path !== self && /\.\.\/shared\//.test(tree.text(path)))
    expect(readers).toEqual([])
  })

  it("no two files of src/ import each other, directly or around a loop (static imports that load code)", () => {
    expect(importCycles(tree).map((cycle) => cycle.join(" -> "))).toEqual([])
  })

  it("the cycle check finds a loop when there is one", () => {
    const fake = Object.assign(Object.create(SourceTree.prototype) as SourceTree, { root: ROOT })
    const graph: Record<string, string[]> = { "src/a.ts": ["src/b.ts"], "src/b.ts": ["src/c.ts"], "src/c.ts": ["src/a.ts"], "src/d.ts": ["src/a.ts"] }
    fake.files = () => Object.keys(graph)
    fake.runtimeTargets = (path: string) => graph[path]
    expect(importCycles(fake)).toEqual([["src/a.ts", "src/b.ts", "src/c.ts"]])
  })

  it(`the CLI imports only api/, ${CLI_ENTRY_POINTS.join(", ")}`, () => {
    expect(cliReach(tree)).toEqual([])
  })

  it(`only the composition root (${COMPOSITION_ROOT}) holds the whole VaultStore: every other consumer names a narrow port`, () => {
    expect(wholeVaultStoreUsers(tree)).toEqual([COMPOSITION_ROOT])
  })

  it("no other file even names the VaultStore port (each folder declares the ports it uses in its own terms)", () => {
    expect(vaultStoreUsers(tree)).toEqual([COMPOSITION_ROOT])
  })

  it("the whole-port check tells a narrow port (a Pick, an import, a doc line) from the whole one", () => {
    const texts: Record<string, string> = {
      "src/x/whole.ts": 'import type { VaultStore } from "../store/index.js"\nexport class A { constructor(private readonly store: VaultStore) {} }\n',
      "src/x/narrow.ts": 'import type { VaultStore } from "../store/index.js"\n/** Not the whole VaultStore. */\nexport type P = Pick<VaultStore, "head">\n',
      "src/store/own.ts": "export interface VaultStore { head(): number }\n",
    }
    const fake = Object.assign(Object.create(SourceTree.prototype) as SourceTree, { root: ROOT })
    fake.files = () => Object.keys(texts)
    fake.text = (path: string) => texts[path]
    expect(wholeVaultStoreUsers(fake)).toEqual(["src/x/whole.ts"])
  })

  it("the account id is read from store meta only where it is owned (written, read once into the context, or another vault's)", () => {
    expect(accountIdReaders(tree)).toEqual(Object.keys(ACCOUNT_ID_OWNERS).sort())
  })

  it("the error-code test helper is declared once (test/helpers/error-code.ts) and imported everywhere else", () => {
    const declaring = tree.files("test").filter((path) => /function\s+codeOf\w*\s*\(/.test(tree.text(path)))
    expect(declaring).toEqual(["test/helpers/error-code.ts"])
  })

  it("no e2e file repeats the first-device set-up (create, init, start, unlock): it comes from test/helpers/device-start.ts", () => {
    const setUp = /const (\w+) = await Device\.create\([^)]*\)\n(?:\s*const \w+ = await Device\.create\([^)]*\)\n)?\s*await \1\.init\(\)\n\s*await \1\.start\([^)]*\)\n\s*await \1\.unlock\(\)/
    expect(tree.files("test/e2e").filter((path) => setUp.test(tree.text(path)))).toEqual([])
  })

  it("each folder of src/ opens with a header comment", () => {
    const folders = readdirSync(join(ROOT, "src")).filter((name) => statSync(join(ROOT, "src", name)).isDirectory())
    const bare = folders.filter((name) => !readFileSync(join(ROOT, "src", name, "index.ts"), "utf8").startsWith("/**"))
    expect(bare).toEqual([])
  })
})
