import { VaultDoc } from "./src/merge/vault-doc.ts"
import { RecordGenerator } from "./scripts/bench/record-generator.ts"
const actor = "a".repeat(32)
const gen = new RecordGenerator(7)
const N = Number(process.env.N ?? 20000)
const doc = new VaultDoc({}, { actorId: actor })
const ids: string[] = []
for (let i = 0; i < N; i += 64) ids.push(...doc.createMany(Array.from({ length: 64 }, () => gen.next())).ids)
const buckets = doc.bucketNumbers()
const snaps = new Map(buckets.map((b) => [b, doc.saveBucket(b)]))
const seen = new Set<number>(); const picks: string[] = []
for (const id of ids) { const b = Number.parseInt(id.slice(-4), 16); if (!seen.has(b)) { seen.add(b); picks.push(id) } }
function firstEdit(d: VaultDoc, id: string) { d.update(id, { set: { fields: { password: gen.password() } } }) }
function secondEdit(d: VaultDoc, id: string) { d.update(id, { set: { fields: { password: gen.password() } } }) }
function load(d: VaultDoc, id: string) { d.get(id) }
for (let round = 0; round < 5; round++) {
  const doc2 = new VaultDoc({}, { actorId: actor })
  for (const [b, s] of snaps) doc2.loadBucket(b, s)
  for (const id of picks) { load(doc2, id); firstEdit(doc2, id); secondEdit(doc2, id) }
  doc2.clear()
}
