import * as A from "./src/merge/automerge.ts"
import { forgetLastPatch } from "./src/merge/bucket-changes.ts"
import { VaultDoc } from "./src/merge/vault-doc.ts"
import { RecordGenerator } from "./scripts/bench/record-generator.ts"
import { applyPatch } from "./src/merge/record-patch.ts"
const actor = "a".repeat(32)
const gen = new RecordGenerator(7)
const doc = new VaultDoc({}, { actorId: actor })
const ids = doc.createMany(Array.from({ length: 128*30 }, () => gen.next())).ids
const buckets = doc.bucketNumbers()
const saved = buckets.map((b) => A.save((doc as any).buckets.doc(b)))
const t = (f: () => void) => { const s = performance.now(); f(); return performance.now() - s }
const res = { load: 0, c1: 0, c2: 0, c3: 0, lc1: 0, lc2: 0 }
for (const bytes of saved) {
  let d: any
  res.load += t(() => { d = forgetLastPatch(A.load(bytes, { actor })) })
  const id = Object.keys(d)[5]
  const edit = (root: any) => applyPatch(root, id, { set: { fields: { password: gen.password() } } }, Date.now())
  res.c1 += t(() => { d = A.change(d, { time: 1 }, edit) })
  res.lc1 += t(() => A.getLastLocalChange(d))
  d = forgetLastPatch(d)
  res.c2 += t(() => { d = A.change(d, { time: 1 }, edit) })
  res.lc2 += t(() => A.getLastLocalChange(d))
  d = forgetLastPatch(d)
  res.c3 += t(() => { d = A.change(d, { time: 1 }, edit) })
}
const n = saved.length
console.log(n, Object.fromEntries(Object.entries(res).map(([k, v]) => [k, (v / n).toFixed(3)])))
