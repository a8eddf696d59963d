import type { HistoryEntry } from "../../api/public.js"
import { CliError } from "../cli-error.js"
import { shortId } from "../format.js"
import type { DemoDevice } from "./demo-device.js"
import type { DemoDeps, Fleet } from "./demo-setup.js"
import { formatLatency } from "./narrator.js"
import { poll } from "./poll.js"

const MERGE_TIMEOUT_MS = 10_000

/** What one device shows once the concurrent edits merged. */
interface MergedView {
  device: DemoDevice
  password: string
  /** The history entry holding the other value. */
  loser: HistoryEntry
}

/**
 * alpha and gamma set the same password at the same instant (neither has seen
 * the other's edit); prints the merged value on all three — the same winner — and
 * the losing value in each device's history.
 */
export async function showConflict(deps: DemoDeps, fleet: Fleet, id: string): Promise<void> {
  const { narrator } = deps
  const edits: Array<[DemoDevice, string]> = [
    [fleet.alpha, "alpha-Sunrise-17"],
    [fleet.gamma, "gamma-Moonlight-42"],
  ]
  narrator.step(`${fleet.alpha.name} and ${fleet.gamma.name} change the same password at the same instant`)
  const since = performance.now()
  await Promise.all(edits.map(([device, value]) => device.call("records.update", { id, set: { fields: { password: { value, kind: "secret" } } } })))
  for (const [device, value] of edits) narrator.detail(`${device.name} sets "${value}"`)
  const views = await waitForMerge(fleet.all, id, edits.map(([, value]) => value))
  narrator.detail(`merged on all three within ${formatLatency(performance.now() - since)}: every device shows the same winner`)
  for (const view of views) narrator.detail(`  ${view.device.name.padEnd(5)}  password "${view.password}"`)
  narrator.detail(`and nothing is lost: the other value is in the history on every device (\`lanvault history ${shortId(id)}\`)`)
  for (const view of views) narrator.detail(`  ${view.device.name.padEnd(5)}  "${view.loser.value}"  ${describeEntry(view.loser)}`)
}

/** How a history entry came to be there, for people. */
export function describeEntry(entry: HistoryEntry): string {
  if (entry.reason === "conflict") return "(conflict: the concurrent edit that lost)"
  if (entry.reason === "edited") return "(edited: overwritten by the later edit)"
  return "(removed)"
}

/** Polls the three devices until they agree on one of `values` and each keeps the other in its history. */
async function waitForMerge(devices: DemoDevice[], id: string, values: string[]): Promise<MergedView[]> {
  const last: string[] = []
  try {
    return await poll(async () => {
      const views = await Promise.all(devices.map((device) => mergedView(device, id, values)))
      last.splice(0, last.length, ...views.map((v, i) => `${devices[i].name}: ${v?.password ?? "?"}`))
      const complete = views.filter((view): view is MergedView => view !== undefined)
      return complete.length === devices.length && new Set(complete.map((v) => v.password)).size === 1 ? complete : undefined
    }, "the concurrent edits to merge on every device", MERGE_TIMEOUT_MS)
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)} (last seen: ${last.join(", ")})`)
  }
}

async function mergedView(device: DemoDevice, id: string, values: string[]): Promise<MergedView | undefined> {
  const record = await device.call("records.get", { id })
  const password = record.fields.password?.value ?? ""
  if (!values.includes(password)) return undefined
  const other = values.find((value) => value !== password)
  const history = await device.call("records.history", { id })
  const loser = history.find((entry) => entry.field === "password" && entry.value === other)
  return loser === undefined ? undefined : { device, password, loser }
}
