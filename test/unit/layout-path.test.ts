import { describe, expect, it } from "vitest"
import { SourceTree } from "../../scripts/layout-report.js"
import { checkHops, RECORDS_UPDATE_HOPS, resolveCalls, summarize, type Hop } from "../../scripts/records-update-path.js"

// Issue 10: the path of a records.update is described hop by hop in scripts/records-update-path.ts; this keeps it true to the code.
// When a change of the code fails it, update RECORDS_UPDATE_HOPS there (`npx tsx scripts/layout-report.ts` prints the path and what no longer matches).
const tree = new SourceTree(new URL("../..", import.meta.url).pathname)

describe("the records.update path", () => {
  it("names, hop by hop, functions that exist and calls their callers hold", () => {
    expect(checkHops(tree)).toEqual([])
  })

  it("each call resolves (TypeScript checker) to the callee the path names, or to a port member or function value the wiring fills", () => {
    const { targets, problems } = resolveCalls(tree)
    expect(problems).toEqual([])
    expect(targets.filter((t) => t.kind === "port").map((t) => t.declaration)).toContain("src/sync/ports.ts EntryApplier.applyRemote")
    expect(targets.filter((t) => t.kind === "port").map((t) => t.declaration)).toContain("src/vault/vault-changes.ts LocalEntrySink.publishLocal")
    // A hop that names the wrong callee of a direct call is caught.
    const wrong = RECORDS_UPDATE_HOPS.map((hop) => (hop.fn === "patch" && hop.file === "src/merge/vault-doc.ts" ? { ...hop, fn: "applyChanges" } : hop))
    expect(resolveCalls(tree, wrong).problems).toEqual([expect.stringContaining("doc.patch(id, patch) calls src/merge/vault-doc.ts VaultDoc.patch, not src/merge/vault-doc.ts applyChanges")])
  }, 180_000)

  it("touches at most 15 files and enters each folder once per process; daemon/ only for the method table", () => {
    const summary = summarize()
    expect(summary.files.length).toBeLessThanOrEqual(15)
    expect(summary.reentered).toEqual([])
    expect(summary.files.filter((file) => file.startsWith("src/daemon/"))).toEqual(["src/daemon/handlers.ts"])
  })

  it("the check catches a hop the code does not hold", () => {
    const hops: Hop[] = RECORDS_UPDATE_HOPS.map((hop) => ({ ...hop }))
    hops[1] = { ...hops[1], call: "ctx.withSomethingElse(" }
    hops[2] = { ...hops[2], fn: "noSuchFunction" }
    hops[3] = { ...hops[3], from: 9 }
    expect(checkHops(tree, hops)).toEqual([
      expect.stringContaining("hop 2 (src/cli/context.ts): src/cli/record-commands.ts runEdit holds no call ctx.withSomethingElse("),
      expect.stringContaining("hop 3 (src/cli/record-commands.ts): no function noSuchFunction"),
      expect.stringContaining("hop 4 (src/api/client.ts): its caller 9 is not an earlier hop"),
    ])
  })

  it("a folder is entered by a call from another folder or process, not by a return", () => {
    const hop = (process: Hop["process"], file: string, from?: number): Hop => ({ process, file, fn: "f", from, call: from === undefined ? undefined : "f()", note: "" })
    const summary = summarize([
      hop("A", "src/vault/a.ts"), hop("A", "src/merge/m.ts", 1), hop("A", "src/vault/b.ts", 1), hop("A", "src/store/s.ts", 3),
      hop("A", "src/merge/n.ts", 3), hop("B", "src/store/s.ts", 4),
    ])
    expect(summary.entries).toEqual({ CLI: [], A: ["vault", "merge", "store", "merge"], B: ["store"] })
    expect(summary.reentered).toEqual(["A: merge (2×)"])
    expect(summary.files).toHaveLength(5)
  })
})
