import { VaultDoc } from "./src/merge/vault-doc.ts"
import { LazyBuckets } from "./src/merge/lazy-buckets.ts"
import * as A from "./src/merge/automerge.ts"
import { RecordGenerator } from "./scripts/bench/record-generator.ts"
const actor = "a".repeat(32)
const gen = new RecordGenerator(7)
const N = Number(process.env.N ?? 20000)
const doc = new VaultDoc({}, { actorId: actor })
const ids: string[] = []
for (let i = 0; i < N; i += 64) ids.push(...doc.createMany(Array.from({ length: 64 }, () => gen.next())).ids)
const buckets = doc.bucketNumbers()
const snaps = new Map(buckets.map((b) => [b, doc.saveBucket(b)]))
const doc2 = new VaultDoc({}, { actorId: actor })
for (const [b, s] of snaps) doc2.loadBucket(b, s)
const acc: Record<string, number[]> = {}
let phase = 0
function wrap(obj: any, name: string, label: string) {
  const orig = obj[name]
  obj[name] = function (...args: any[]) { const s = performance.now(); try { return orig.apply(this, args) } finally { (acc[label] ??= [0, 0, 0, 0])[phase] += performance.now() - s } }
}
wrap(LazyBuckets.prototype, "setDoc", "setDoc")
wrap(VaultDoc.prototype, "get", "get")
wrap(VaultDoc.prototype, "update", "update")

const seen = new Set<number>(); const picks: string[] = []
for (const id of ids) { const b = Number.parseInt(id.slice(-4), 16); if (!seen.has(b)) { seen.add(b); picks.push(id) } }
for (const id of picks) {
  phase = 0; doc2.get(id)
  for (phase = 1; phase <= 3; phase++) doc2.update(id, { set: { fields: { password: gen.password() } } })
}
const n = picks.length
for (const [k, v] of Object.entries(acc)) console.log(k.padEnd(10), v.map((x) => (x / n).toFixed(3)).join("  "))
