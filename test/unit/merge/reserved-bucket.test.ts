import { describe, expect, it } from "vitest"
import { fillNewBucket, type FilledBucket } from "../../../src/merge/bucket-fill.js"
import { VaultDoc, type BucketChange, type RecordInput } from "../../../src/merge/index.js"
import { actorOf, START_MS } from "./helpers.js"

/** A bucket past the hashed range (64): the kind an import's allocator opens and reserves. */
const RESERVED = 4_242

function imports(count: number): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({ type: "login", title: `imported ${i}`, fields: { password: { value: `pw-${i}`, kind: "secret" } }, notes: i === 0 ? "first" : "", tags: ["imported"] }))
}

function docOf(actor: number): VaultDoc {
  let clock = START_MS
  return new VaultDoc({}, { actorId: actorOf(actor), now: () => (clock += 1_000) })
}

/**
 * This device reserves RESERVED and its import's writer (elsewhere) writes it whole with this device's actor;
 * meanwhile a peer, which knows nothing of the reservation, makes a record there, which this device merges.
 */
function reservedBucketWithPeerRecord() {
  const here = docOf(1)
  const peer = docOf(2)
  here.allocation.reserve([RESERVED])
  const inputs = imports(20)
  const ids = here.newIdsIn(inputs.map(() => RESERVED))
  const filled: FilledBucket = fillNewBucket(here.actorId, ids.map((id, i) => ({ id, input: inputs[i] })), here.now())
  const made = peer.createMany([{ type: "login", title: "peer's", fields: { username: { value: "ada", kind: "text" } } }], { ids: peer.newIdsIn([RESERVED]) })
  here.applyChanges(made.changes)
  return { here, peer, inputs, ids, filled, peerId: made.ids[0], peerChanges: made.changes }
}

describe("a bucket reserved for an import's writer that a peer's record made meanwhile", () => {
  it.each([
    ["edited", (doc: VaultDoc, id: string) => doc.update(id, { set: { title: "peer's, edited here" } }).changes, "peer's, edited here"],
    ["deleted for good", (doc: VaultDoc, id: string) => doc.deletePermanently(id), undefined],
  ])("the peer's record %s here before the bucket is installed: every record kept, on both devices", (_, change, title) => {
    const { here, peer, inputs, ids, filled, peerId, peerChanges } = reservedBucketWithPeerRecord()
    // This device's first change in the bucket, before the import's (which is a first change of the same actor too).
    const local = change(here, peerId)
    const installed = here.installFilled(RESERVED, filled)
    here.allocation.release([RESERVED])
    const sent: BucketChange[] = [...local, installed]

    expect(here.get(peerId)?.title).toBe(title)
    expect(ids.map((id) => here.get(id)?.title)).toEqual(inputs.map((input) => input.title))
    expect(ids.map((id) => here.get(id)?.fields.password.value)).toEqual(inputs.map((input) => input.fields?.password.value))
    expect(here.get(ids[0])?.notes).toBe("first")
    expect(here.list({ tag: "imported" }).map((s) => s.id).sort()).toEqual([...ids].sort())
    // The peer takes what this device logged for the bucket, and sees the same records.
    peer.applyChanges(sent)
    expect(peer.list({})).toEqual(here.list({}))
    expect(peer.get(peerId)).toEqual(here.get(peerId))
    expect(ids.map((id) => peer.get(id))).toEqual(ids.map((id) => here.get(id)))
    // A third device replaying every change from nothing (a new device's first sync) converges too.
    const third = docOf(3)
    third.applyChanges([...peerChanges, ...sent])
    expect(third.list({})).toEqual(here.list({}))
    expect(ids.map((id) => third.get(id))).toEqual(ids.map((id) => here.get(id)))
  })

  it("only merged here (no change of this device there): the bucket is installed as written, its one change the writer's", () => {
    const { here, peer, ids, filled, peerId } = reservedBucketWithPeerRecord()
    const installed = here.installFilled(RESERVED, filled)
    expect(installed).toEqual({ bucket: RESERVED, change: filled.change })
    expect(here.get(peerId)?.title).toBe("peer's")
    peer.applyChanges([installed])
    expect(peer.list({})).toEqual(here.list({}))
    expect(here.list({})).toHaveLength(ids.length + 1)
  })
})
