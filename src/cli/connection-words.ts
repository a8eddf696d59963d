/**
 * One vocabulary for a link to another device, shared by `status`, `peer list`
 * and `devices` (issue 13): the same words for the same state wherever it shows.
 */

/** What the CONNECTION column says, from a session state ("idle", "syncing"), a dialler state or a device state. */
export function connectionWord(state: string | undefined): string {
  const [head, ...detail] = (state ?? "").split(": ")
  const why = detail.length > 0 ? ` (${detail.join(": ")})` : ""
  switch (head) {
    case "idle":
    case "connected":
      return "connected"
    case "syncing":
      return "connected, syncing"
    case "connecting":
      return "connecting"
    case "waiting":
      return `retrying${why}`
    case "refused":
      return `refused${why}`
    case "stopped":
      return "not dialled"
    case "disconnected":
    case "":
      return "not connected"
    default:
      return `${head}${why}`
  }
}

/** What the FOUND BY column says about how this device learnt an address. */
export function foundByWord(how: string | undefined): string {
  switch (how) {
    case "mdns":
      return "mDNS"
    case "manual":
      return "peer add"
    case "static":
      return "daemon --peer"
    case "known":
      return "remembered"
    case "shared":
      return "shared by a device"
    case "incoming":
      return "it connected here"
    default:
      return how ?? "-"
  }
}

/** The column names every connection table uses. */
export const CONNECTION_COLUMNS = ["DEVICE", "ADDRESS", "CONNECTION", "FOUND BY"] as const
