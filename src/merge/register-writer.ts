import * as Automerge from "./automerge.js"

/** The device that wrote an op: Automerge op ids are `counter@actor`, and each device's actor is its device id. */
export function actorOfOpId(opId: string): string | undefined {
  const at = opId.indexOf("@")
  return at === -1 ? undefined : opId.slice(at + 1)
}

/**
 * The device whose write is the current value of `parent[key]` (the winner by
 * Automerge's rule: greatest counter, then actor), or undefined when there is none.
 * `root` is the bucket document (or its proxy inside a change): Automerge's public
 * `getConflicts` names the writers only when there are several values, so this asks
 * the document's backend for every value of the key with its op id.
 */
export function writerAt(root: unknown, parent: object, key: string): string | undefined {
  const objectId = Automerge.getObjectId(parent)
  if (objectId === null || objectId === undefined) return undefined
  const values = Automerge.getBackend(root as Automerge.Doc<unknown>).getAll(objectId, key)
  let winner: { counter: number; actor: string } | undefined
  for (const value of values) {
    const opId = value[value.length - 1]
    if (typeof opId !== "string") continue
    const actor = actorOfOpId(opId)
    const counter = Number(opId.slice(0, opId.indexOf("@")))
    if (actor === undefined || !Number.isFinite(counter)) continue
    if (winner === undefined || counter > winner.counter || (counter === winner.counter && actor > winner.actor)) winner = { counter, actor }
  }
  return winner?.actor
}
