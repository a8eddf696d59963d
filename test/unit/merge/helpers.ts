import { VaultDoc } from "../../../src/merge/index.js"
import type { BucketChange } from "../../../src/merge/index.js"

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
