/**
 * A socket client that writes to a vault as fast as the daemon answers (creates,
 * edits, trash, restore, permanent deletes, and edits of its own field on a record
 * every writer shares) and keeps a model of what was ACKNOWLEDGED. After a
 * `kill -9` and a restart, `check` says whether the vault holds exactly that:
 * every acknowledged write with its acknowledged value; the one write that was
 * in flight (sent, no answer) either whole or absent; a refused write absent.
 */
import type { LanvaultClient } from "../../../src/api/client.js"
import type { LanvaultError } from "../../../src/errors.js"
import type { FieldValue, RecordInput, RecordPatch, VaultRecord } from "../../../src/merge/types.js"
import { Rng } from "./chaos-env.js"
import { canonical, describeState, sameState, stateOf, stateOfInput, type RecordState } from "./record-model.js"

/** Pause before writing again after a LOCKED answer (the test's lock/unlock). */
const LOCKED_RETRY_MS = 20

/** The write that was sent and not answered when the daemon died. */
type InFlight =
  | { kind: "create"; title: string; after: RecordState }
  | { kind: "edit"; id: string; after: RecordState | undefined }
  | { kind: "shared"; field: string; value: FieldValue }

export interface WorkloadCounts {
  /** Writes answered with success. */
  acknowledged: number
  /** Writes answered with an error (must have left nothing). */
  refused: number
}

export class WriteWorkload {
  /** Acknowledged state of each record this writer created (undefined = permanently deleted). */
  readonly owned = new Map<string, RecordState | undefined>()
  /** Acknowledged value of this writer's field on the shared record. */
  sharedValue: FieldValue | undefined
  inFlight: InFlight | undefined
  readonly counts: WorkloadCounts = { acknowledged: 0, refused: 0 }
  private serial = 0
  private stopped = false
  readonly errors: string[] = []

  constructor(
    /** Writer number: makes titles and the shared field name unique. */
    readonly index: number,
    private readonly sharedId: string,
    private readonly tag: string,
  ) {}

  get sharedField(): string {
    return `writer${this.index}`
  }

  stop(): void {
    this.stopped = true
  }

  /** Writes until the connection dies or `stop()`; never throws. */
  async run(client: LanvaultClient, rng: Rng): Promise<void> {
    this.stopped = false
    while (!this.stopped && !client.isClosed) {
      try {
        await this.step(client, rng)
      } catch (error) {
        // Killed mid-call (the connection dropped, or the test closed it): inFlight stays unknown.
        if (client.isClosed || (error as LanvaultError).code === "DAEMON_NOT_RUNNING") return
        this.inFlight = undefined // the daemon answered with an error: the write must be nowhere
        this.counts.refused += 1
        const code = (error as LanvaultError).code ?? String(error)
        if (code !== "LOCKED") this.errors.push(`writer ${this.index}: ${code}: ${(error as Error).message}`)
        else await new Promise((resolve) => setTimeout(resolve, LOCKED_RETRY_MS))
      }
    }
  }

  private async step(client: LanvaultClient, rng: Rng): Promise<void> {
    const live = [...this.owned].filter(([, state]) => state !== undefined) as Array<[string, RecordState]>
    const roll = rng.next()
    if (live.length < 3 || roll < 0.25) return this.create(client, rng)
    if (roll < 0.4) return this.editShared(client, rng)
    const [id, before] = rng.pick(live)
    if (before.trashed) return roll < 0.9 ? this.edit(client, id, before, { set: { trashed: false } }) : this.purge(client, id)
    if (roll < 0.85) return this.edit(client, id, before, randomPatch(rng, before, `${this.tag}w${this.index}e${++this.serial}`))
    if (roll < 0.95) return this.trash(client, id, before)
    return this.purge(client, id)
  }

  private async create(client: LanvaultClient, rng: Rng): Promise<void> {
    const title = `${this.tag}w${this.index}c${++this.serial}`
    const input: RecordInput = {
      type: rng.pick(["login", "note", "card"]),
      title,
      fields: {
        username: { value: `user-${rng.word(6)}`, kind: "text" },
        password: { value: rng.word(20), kind: "secret" },
        url: { value: `https://${rng.word(8)}.example/login`, kind: "url" },
      },
      notes: rng.chance(0.5) ? `notes ${rng.word(30)}\nline two ${rng.word(10)}` : "",
      tags: rng.chance(0.3) ? ["chaos", rng.word(4)] : [],
    }
    this.inFlight = { kind: "create", title, after: stateOfInput(input) }
    const { id } = await client.call("records.create", { record: input })
    this.owned.set(id, stateOfInput(input))
    this.acknowledged()
  }

  private async edit(client: LanvaultClient, id: string, before: RecordState, patch: RecordPatch): Promise<void> {
    const after = applyPatch(before, patch)
    this.inFlight = { kind: "edit", id, after }
    const record: VaultRecord = await client.call("records.update", { id, ...patch })
    if (!sameState(stateOf(record), after)) this.errors.push(`writer ${this.index}: records.update answered ${describeState(stateOf(record))}, expected ${describeState(after)}`)
    this.owned.set(id, after)
    this.acknowledged()
  }

  private async trash(client: LanvaultClient, id: string, before: RecordState): Promise<void> {
    const after = { ...before, trashed: true }
    this.inFlight = { kind: "edit", id, after }
    await client.call("records.delete", { id })
    this.owned.set(id, after)
    this.acknowledged()
  }

  private async purge(client: LanvaultClient, id: string): Promise<void> {
    this.inFlight = { kind: "edit", id, after: undefined }
    await client.call("records.delete", { id, permanent: true })
    this.owned.set(id, undefined)
    this.acknowledged()
  }

  private async editShared(client: LanvaultClient, rng: Rng): Promise<void> {
    const value: FieldValue = { value: `${this.tag}w${this.index}s${++this.serial}-${rng.word(12)}`, kind: "secret" }
    this.inFlight = { kind: "shared", field: this.sharedField, value }
    await client.call("records.update", { id: this.sharedId, set: { fields: { [this.sharedField]: value } } })
    this.sharedValue = value
    this.acknowledged()
  }

  private acknowledged(): void {
    this.inFlight = undefined
    this.counts.acknowledged += 1
  }
}

/** A random patch: a new password, username, title, notes, an extra field set or unset, in any mix. */
function randomPatch(rng: Rng, before: RecordState, token: string): RecordPatch {
  const fields: Record<string, FieldValue> = {}
  const set: NonNullable<RecordPatch["set"]> = {}
  const unset: string[] = []
  if (rng.chance(0.6)) fields.password = { value: `${token}-${rng.word(16)}`, kind: "secret" }
  if (rng.chance(0.3)) fields.username = { value: `${token}-user`, kind: "text" }
  if (rng.chance(0.2)) fields[`extra${rng.int(1, 3)}`] = { value: `${token}-x`, kind: "text" }
  if (rng.chance(0.15)) {
    const extras = Object.keys(before.fields).filter((name) => name.startsWith("extra") && !(name in fields))
    if (extras.length > 0) unset.push(rng.pick(extras))
  }
  if (rng.chance(0.2)) set.title = `${token} retitled`
  if (rng.chance(0.2)) set.notes = `${before.notes.slice(0, 40)} ${token}`
  if (Object.keys(fields).length > 0 || (Object.keys(set).length === 0 && unset.length === 0)) {
    fields.password ??= { value: `${token}-${rng.word(16)}`, kind: "secret" }
    set.fields = fields
  }
  return unset.length > 0 ? { set, unset } : { set }
}

function applyPatch(before: RecordState, patch: RecordPatch): RecordState {
  const fields = { ...before.fields, ...(patch.set?.fields ?? {}) }
  for (const name of patch.unset ?? []) delete fields[name]
  return canonical({
    type: patch.set?.type ?? before.type,
    title: patch.set?.title ?? before.title,
    fields,
    notes: patch.set?.notes ?? before.notes,
    tags: patch.set?.tags ?? before.tags,
    trashed: patch.set?.trashed ?? before.trashed,
  })
}

/** What the check of one trial found. */
export interface CheckResult {
  /** Acknowledged writes whose effect is missing or different (the figure that must be 0). */
  lost: string[]
  /** Other violations: half-applied writes, phantom records, wrong in-flight content. */
  violations: string[]
}

/**
 * Compares the vault after the restart with the writers' models, then adopts
 * what was found (in-flight writes resolved) so the next trial continues from it.
 */
export function checkAgainstModels(actual: Map<string, VaultRecord>, writers: WriteWorkload[], sharedId: string, otherIds: ReadonlySet<string>): CheckResult {
  const lost: string[] = []
  const violations: string[] = []
  const accounted = new Set<string>([sharedId, ...otherIds])
  for (const writer of writers) {
    const inFlight = writer.inFlight
    for (const [id, acked] of writer.owned) {
      accounted.add(id)
      const found = actual.has(id) ? stateOf(actual.get(id)!) : undefined
      if (sameState(found, acked)) continue
      if (inFlight?.kind === "edit" && inFlight.id === id && sameState(found, inFlight.after)) {
        writer.owned.set(id, inFlight.after)
        continue
      }
      const pending = inFlight?.kind === "edit" && inFlight.id === id ? ` (or the in-flight ${describeState(inFlight.after)})` : ""
      lost.push(`record ${id} of writer ${writer.index}: found ${describeState(found)}, acknowledged ${describeState(acked)}${pending}`)
      writer.owned.set(id, found)
    }
    if (inFlight?.kind === "create") {
      const matches = [...actual.values()].filter((r) => r.title === inFlight.title && !writer.owned.has(r.id))
      if (matches.length > 1) violations.push(`in-flight create ${inFlight.title} is there ${matches.length} times`)
      for (const match of matches) {
        accounted.add(match.id)
        if (!sameState(stateOf(match), inFlight.after)) violations.push(`in-flight create half-applied: ${describeState(stateOf(match))} vs ${describeState(inFlight.after)}`)
        writer.owned.set(match.id, stateOf(match))
      }
    }
    const shared = actual.get(sharedId)?.fields[writer.sharedField]
    const sameField = (a: FieldValue | undefined, b: FieldValue | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
    if (!sameField(shared, writer.sharedValue)) {
      if (inFlight?.kind === "shared" && sameField(shared, inFlight.value)) writer.sharedValue = inFlight.value
      else {
        lost.push(`shared field ${writer.sharedField}: found ${JSON.stringify(shared ?? null)}, acknowledged ${JSON.stringify(writer.sharedValue ?? null)}`)
        writer.sharedValue = shared
      }
    }
    writer.inFlight = undefined
  }
  for (const [id, record] of actual) if (!accounted.has(id)) violations.push(`phantom record ${id}: ${describeState(stateOf(record))}`)
  return { lost, violations }
}
