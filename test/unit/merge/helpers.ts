import fc from "fast-check"
import { FIELD_KINDS, VaultDoc } from "../../../src/merge/index.js"
import type { BucketChange, RecordInput } from "../../../src/merge/index.js"

export const START_MS = 1_700_000_000_000

/** A device of a simulated vault: its doc and which changes of the shared log it holds. */
export interface Device {
  name: string
  doc: VaultDoc
  known: Set<number>
}

/** Every change any device made, in the order made: the union of all device logs. */
export interface Net {
  changes: BucketChange[]
  devices: Device[]
}

/** A 32-hex-char actor id per device index (a, b, c…). */
export function actorOf(index: number): string {
  return (index + 10).toString(16).repeat(32)
}

/** A net of `count` devices sharing one clock that ticks on every read, and deterministic ids. */
export function makeNet(count: number, options: { bucketCount?: number } = {}): Net {
  let clock = START_MS
  const devices = Array.from({ length: count }, (_, index) => {
    let next = 0
    const name = String.fromCharCode(97 + index)
    const doc = new VaultDoc({}, {
      actorId: actorOf(index), bucketCount: options.bucketCount, now: () => ++clock, newId: () => `${name}-${++next}`,
    })
    return { name, doc, known: new Set<number>() }
  })
  return { changes: [], devices }
}

/** Records changes a device just made (it already holds them). */
export function made(net: Net, device: Device, changes: BucketChange[]): void {
  for (const change of changes) {
    device.known.add(net.changes.length)
    net.changes.push(change)
  }
}

/** Delivers to `to` every change `from` holds that `to` lacks; returns the ids `to` reports changed. */
export function deliver(net: Net, from: Device, to: Device): string[] {
  const missing = [...from.known].filter((i) => !to.known.has(i))
  for (const i of missing) to.known.add(i)
  return to.doc.applyChanges(missing.map((i) => net.changes[i])).changedIds
}

/** Every device gets every change. */
export function syncAll(net: Net): void {
  const [first, ...rest] = net.devices
  for (const device of rest) deliver(net, device, first)
  for (const device of rest) deliver(net, first, device)
}

/**
 * Any record input a property test may create: types, titles, field names, tags
 * and values of any UTF-16 units, lone surrogates included (Automerge keeps
 * UTF-8, so some come back changed), any times; `types` and `tags` are the
 * common values mixed in. Never a field named `__proto__`.
 */
export function anyRecordInputs(types: string[], tags: string[], maxLength: number): fc.Arbitrary<RecordInput[]> {
  // Any name the doc accepts: fast-check likes to try "__proto__", which it refuses as a tag or field name.
  const text = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ unit: "binary", minLength: 1, maxLength: 4 })).filter((s) => s !== "__proto__")
  const time = fc.oneof(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.double({ min: 0, max: 1e16, noNaN: true }), fc.constant(Number.MAX_SAFE_INTEGER))
  const record = fc.record({
    type: fc.oneof(fc.constantFrom(...types), text),
    title: text,
    fields: fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9 -]{0,8}$/), text), fc.record({ value: fc.oneof(fc.string({ maxLength: 12 }), text), kind: fc.constantFrom(...FIELD_KINDS) })),
    tags: fc.array(fc.oneof(fc.constantFrom(...tags), text), { maxLength: 5 }),
    favorite: fc.boolean(),
    notes: fc.string({ maxLength: 8 }),
    createdAt: fc.option(time, { nil: undefined }),
    updatedAt: fc.option(time, { nil: undefined }),
  }, { requiredKeys: ["type", "title"] })
  return fc.array(record.filter((r) => !Object.hasOwn(r.fields ?? {}, "__proto__")), { minLength: 1, maxLength })
}
