import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import * as Automerge from "../../../src/merge/automerge.js"
import { isAutomergeReleased, releaseAutomerge, renewAutomerge } from "../../../src/merge/automerge.js"

type Doc = Automerge.Doc<Record<string, { title: string }>>

const SRC = fileURLToPath(new URL("../../../src", import.meta.url))
const PACKAGE_IMPORT = /from\s+["']@automerge\/automerge(\/[^"']*)?["']|import\(\s*["']@automerge\/automerge/

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  )
}

describe("an Automerge wasm instance per unlocked session", () => {
  afterEach(() => {
    if (isAutomergeReleased()) renewAutomerge()
  })

  it("is the only way src/ reaches Automerge: the package's default entry would hold an instance of its own for good", () => {
    const importers = sourceFiles(SRC)
      .filter((file) => PACKAGE_IMPORT.test(readFileSync(file, "utf8")))
      .map((file) => relative(SRC, file))
    expect(importers).toEqual(["merge/automerge.ts"])
  })

  it("refuses new documents with LOCKED once released, and works again with a fresh instance", () => {
    releaseAutomerge()
    expect(isAutomergeReleased()).toBe(true)
    expect(() => Automerge.init()).toThrow(expect.objectContaining({ code: "LOCKED" }))
    expect(() => Automerge.load(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: "LOCKED" }))
    renewAutomerge()
    expect(isAutomergeReleased()).toBe(false)
    const doc = Automerge.change(Automerge.init<Record<string, { title: string }>>(), (root) => {
      root.a = { title: "one" }
    })
    expect(Automerge.load<Record<string, { title: string }>>(Automerge.save(doc)).a.title).toBe("one")
  })

  it("keeps documents made before a renewal working on their own instance, and their bytes load in the new one", () => {
    let before: Doc = Automerge.change(Automerge.init(), (root) => {
      root.a = { title: "old instance" }
    })
    renewAutomerge()
    before = Automerge.change(before, (root) => {
      root.b = { title: "still editable" }
    })
    const after = Automerge.load<Record<string, { title: string }>>(Automerge.save(before))
    expect(Object.keys(after).sort()).toEqual(["a", "b"])
    expect(after.b.title).toBe("still editable")
  })
})
