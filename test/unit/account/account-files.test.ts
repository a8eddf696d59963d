import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { homePaths, readAccountKey, writeAccountKey } from "../../../src/account/index.js"
import { writeSecretFile } from "../../../src/account/account-files.js"
import { generateAccountKey } from "../../../src/crypto/index.js"

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), "lv-files-"))
  dirs.push(dir)
  return dir
}

describe("secret files (issue 17 item 9)", () => {
  it("never write through a link planted at a predictable temp name, and leave no temp file", () => {
    const home = tempHome()
    const victim = join(home, "victim")
    writeFileSync(victim, "untouched")
    const path = homePaths(home).accountKey
    for (const name of [`${path}.tmp`, `${path}~`, `${path}.new`]) symlinkSync(victim, name)
    const key = generateAccountKey()
    writeAccountKey(home, key)
    expect(readFileSync(victim, "utf8")).toBe("untouched")
    expect(readAccountKey(home)).toEqual(key)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(home).filter((name) => name.includes(".tmp-"))).toEqual([])
  })

  it("replace an existing file whole, each write under a fresh exclusive name", () => {
    const home = tempHome()
    const path = join(home, "secret.json")
    for (let i = 0; i < 20; i++) writeSecretFile(path, `{"n":${i}}\n`)
    expect(readFileSync(path, "utf8")).toBe('{"n":19}\n')
    expect(readdirSync(home)).toEqual(["secret.json"])
  })
})
