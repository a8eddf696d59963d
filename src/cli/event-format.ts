import type { EventParams } from "../api/protocol.js"
import { shortId } from "./format.js"

/** Width of the event type column. */
export const TYPE_COLUMN_CHARS = 19

/** One event as a line: `HH:MM:SS.mmm  type  details`. */
export function formatEvent(event: EventParams, names: ReadonlyMap<string, string>, at: Date): string {
  return `${formatClock(at)}  ${event.type.padEnd(TYPE_COLUMN_CHARS)}${describeEvent(event, names)}`.trimEnd()
}

function describeEvent(event: EventParams, names: ReadonlyMap<string, string>): string {
  switch (event.type) {
    case "record.changed":
      return `${shortId(event.id)}  ${event.origin}${event.deleted ? "  deleted" : ""}`
    case "peer.connected":
      return `${deviceLabel(event.deviceId, names, event.name)} at ${event.address}`
    case "peer.disconnected":
      return `${deviceLabel(event.deviceId, names)}${event.reason ? `: ${event.reason}` : ""}`
    case "sync.progress": {
      if (event.phase === "serve") return `served ${event.done}/${event.total} to ${deviceLabel(event.deviceId, names)}`
      const from = event.deviceId ? ` from ${deviceLabel(event.deviceId, names)}` : ""
      return `synced ${event.done}/${event.total}${from}${event.phase && event.phase !== "sync" ? ` (${event.phase})` : ""}`
    }
    case "import.progress":
      return `imported ${event.done}/${event.total}`
    case "work.progress":
      return `${event.work} ${event.done}/${event.total}`
    case "locked":
      return `vault locked (${event.reason})`
    case "unlocked":
      return `vault unlocked${event.records === undefined ? "" : `, ${event.records} record${event.records === 1 ? "" : "s"}`}`
    case "device.paired":
      return `${deviceLabel(event.deviceId, names, event.name)} joined, code ${event.code}`
    case "device.standing":
      return `${event.state.toUpperCase()}: ${event.message}. Next: ${event.next}`
    default:
      return JSON.stringify(event)
  }
}

/** `beta (1a2b3c4d)`, or the short id alone when the name is unknown. */
export function deviceLabel(deviceId: string | undefined, names: ReadonlyMap<string, string>, name?: string): string {
  if (deviceId === undefined) return "a peer"
  const known = name ?? names.get(deviceId)
  return known ? `${known} (${shortId(deviceId)})` : shortId(deviceId)
}

/** `HH:MM:SS.mmm`, local time. */
export function formatClock(at: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0")
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`
}
