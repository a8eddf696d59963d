/**
 * Reads a V8 .cpuprofile (written by `node --cpu-prof`) and says where the time
 * went: self time by function and by module (package, dist/ folder, wasm, GC),
 * and inclusive time of lanvault's own functions — enough to name what
 * dominates a phase and which of our calls leads there.
 */
import { readFileSync } from "node:fs"

const US_PER_MS = 1_000

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  /** Sampled time, ms, idle left out. */
  busyMs: number
  idleMs: number
  selfByFunction: Array<[string, number]>
  selfByModule: Array<[string, number]>
  /** Inclusive time of lanvault's own functions (dist/ or src/, not node_modules). */
  inclusiveByOwnFunction: Array<[string, number]>
}

export function summarizeProfile(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const parents = parentMap(profile.nodes)
  const self = new Map<string, number>()
  const modules = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let idleUs = 0
  profile.samples.forEach((nodeId, i) => {
    const us = profile.timeDeltas[i] ?? 0
    const frame = nodes.get(nodeId)!.callFrame
    if (frame.functionName === "(idle)") {
      idleUs += us
      return
    }
    add(self, functionKey(frame), us)
    add(modules, moduleOf(frame), us)
    for (const key of ownStackKeys(nodeId, nodes, parents)) add(inclusive, key, us)
  })
  const busyUs = [...self.values()].reduce((a, b) => a + b, 0)
  return {
    busyMs: busyUs / US_PER_MS,
    idleMs: idleUs / US_PER_MS,
    selfByFunction: topMs(self, top),
    selfByModule: topMs(modules, top),
    inclusiveByOwnFunction: topMs(inclusive, top),
  }
}

/** The summary as text, one section per list. */
export function formatProfile(name: string, summary: ProfileSummary): string {
  const section = (title: string, rows: Array<[string, number]>) =>
    [`  ${title}`, ...rows.map(([key, ms]) => `    ${ms.toFixed(0).padStart(7)} ms  ${(100 * ms / summary.busyMs).toFixed(1).padStart(5)} %  ${key}`)]
  return [
    `${name}: ${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle`,
    ...section("self time by module", summary.selfByModule),
    ...section("self time by function", summary.selfByFunction),
    ...section("inclusive time of lanvault functions", summary.inclusiveByOwnFunction),
  ].join("\n")
}

function parentMap(nodes: ProfileNode[]): Map<number, number> {
  const parents = new Map<number, number>()
  for (const node of nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  return parents
}

/** Each lanvault function on the sample's stack, once (recursion counted once). */
function ownStackKeys(nodeId: number, nodes: Map<number, ProfileNode>, parents: Map<number, number>): Set<string> {
  const keys = new Set<string>()
  for (let id: number | undefined = nodeId; id !== undefined; id = parents.get(id)) {
    const frame = nodes.get(id)!.callFrame
    if (isOwnCode(frame.url)) keys.add(functionKey(frame))
  }
  return keys
}

function isOwnCode(url: string): boolean {
  return !url.includes("/node_modules/") && /\/(dist|src)\//.test(url)
}

function functionKey(frame: CallFrame): string {
  if (!frame.url) return frame.functionName || "(anonymous)"
  return `${frame.functionName || "(anonymous)"}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
}

/** node_modules package, dist/ or src/ folder, node internals, wasm, or the pseudo frame itself. */
function moduleOf(frame: CallFrame): string {
  const url = frame.url
  if (!url) return frame.functionName
  if (url.startsWith("wasm://")) return "wasm (automerge core)"
  if (url.startsWith("node:")) return "node internals"
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]
  const own = /\/(dist|src)\/([^/]+)\//.exec(url)
  return own ? `lanvault ${own[1]}/${own[2]}` : shortUrl(url)
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "").replace(/^.*\/(dist|src)\//, "$1/")
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us)
}

function topMs(map: Map<string, number>, count: number): Array<[string, number]> {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([key, us]) => [key, us / US_PER_MS])
}
