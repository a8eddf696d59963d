import * as A from "./src/merge/automerge.ts"
import { forgetLastPatch } from "./src/merge/bucket-changes.ts"
import { VaultDoc } from "./src/merge/vault-doc.ts"
import { applyPatch } from "./src/merge/record-patch.ts"
import { RecordGenerator } from "./scripts/bench/record-generator.ts"
const actor = "a".repeat(32)
const gen = new RecordGenerator(7)
const doc = new VaultDoc({}, { actorId: actor })
const N = 20000
for (let i = 0; i < N; i += 64) doc.createMany(Array.from({ length: 64 }, () => gen.next()))
const buckets = doc.bucketNumbers()
const saved = buckets.map((b) => A.save((doc as any).buckets.doc(b)))
const t = (f: () => void) => { const s = performance.now(); f(); return performance.now() - s }
const warmups: Record<string, (d: any) => void> = {
  none: () => {},
  heads: (d) => A.getHeads(d),
  deps: (d) => A.getMissingDeps(d, []),
  emptyChange: (d) => A.emptyChange(d),
}
for (const [name, warm] of Object.entries(warmups)) {
  const res = { c1: 0, c2: 0, warm: 0 }
  for (let round = 0; round < 3; round++) for (const bytes of saved) {
    let d: any = forgetLastPatch(A.load(bytes, { actor }))
    const id = Object.keys(d)[5]
    const edit = (root: any) => applyPatch(root, id, { set: { fields: { password: gen.password() } } }, Date.now())
    res.warm += t(() => warm(d))
    res.c1 += t(() => { d = forgetLastPatch(A.change(d, { time: 1 }, edit)) })
    res.c2 += t(() => { d = forgetLastPatch(A.change(d, { time: 1 }, edit)) })
    A.free(d)
  }
  const n = saved.length * 3
  console.log(name.padEnd(12), Object.entries(res).map(([k, v]) => `${k} ${(v / n).toFixed(3)}`).join("  "))
}
