import { VaultDoc } from "./src/merge/vault-doc.ts"
import { RecordGenerator } from "./scripts/bench/record-generator.ts"
const actor = "a".repeat(32)
const gen = new RecordGenerator(7)
const N = Number(process.env.N ?? 20000)
const doc = new VaultDoc({}, { actorId: actor })
const ids: string[] = []
for (let i = 0; i < N; i += 64) ids.push(...doc.createMany(Array.from({ length: 64 }, () => gen.next())).ids)
const buckets = doc.bucketNumbers()
console.log("records", doc.size, "buckets", buckets.length)
const snaps = new Map(buckets.map((b) => [b, doc.saveBucket(b)]))
const doc2 = new VaultDoc({}, { actorId: actor })
for (const [b, s] of snaps) doc2.loadBucket(b, s)
const byBucket = new Map<number, string[]>()
for (const id of ids) { const b = (doc2 as any).buckets ? 0 : 0; }
// pick one id per bucket
const seen = new Set<number>(); const picks: string[] = []
for (const id of ids) { const b = Number.parseInt(id.slice(-4), 16); if (!seen.has(b)) { seen.add(b); picks.push(id) } }
const t = (f: () => void) => { const s = performance.now(); f(); return performance.now() - s }
let getMs = 0, first = 0, second = 0, third = 0
for (const id of picks) {
  getMs += t(() => doc2.get(id))
  first += t(() => doc2.update(id, { set: { fields: { password: gen.password() } } } as any))
  second += t(() => doc2.update(id, { set: { fields: { password: gen.password() } } } as any))
  third += t(() => doc2.update(id, { set: { fields: { password: gen.password() } } } as any))
}
const n = picks.length
console.log(`per bucket (n=${n}): get(load) ${(getMs/n).toFixed(2)} ms, first update ${(first/n).toFixed(3)} ms, second ${(second/n).toFixed(3)}, third ${(third/n).toFixed(3)}`)
