import type { DeviceInfo } from "../api/protocol.js"
import type { LanvaultClient } from "../api/client.js"
import { LanvaultError } from "../errors.js"
import type { RecordSummary } from "../api/public.js"
import { CliError, usageError } from "./cli-error.js"
import { shortId } from "./format.js"

/** How many candidates an "ambiguous id" message lists. */
const MAX_CANDIDATES_SHOWN = 10
/** A record id as lanvault makes them (a random UUID). */
const FULL_RECORD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The items whose id is `text` (case-insensitive) or, when none is, starts with
 * it. Pure: the caller decides what zero or several matches mean.
 */
export function matchIdPrefix<T>(items: readonly T[], text: string, idOf: (item: T) => string): T[] {
  const wanted = text.trim().toLowerCase()
  if (wanted === "") return []
  const exact = items.filter((item) => idOf(item).toLowerCase() === wanted)
  if (exact.length > 0) return exact
  return items.filter((item) => idOf(item).toLowerCase().startsWith(wanted))
}

/**
 * A record id from a full id or a unique prefix, looked up among the records and
 * the trash, else from a title or web address host (`records.find`). Unknown
 * ones are passed on as given (the daemon answers NOT_FOUND);
 * an ambiguous prefix fails (exit 1) listing the candidates.
 */
export async function resolveRecord(client: LanvaultClient, text: string): Promise<{ id: string; summary?: RecordSummary }> {
  if (text.trim() === "") throw usageError("the record id is empty")
  // A full id is no prefix of another: one records.get, never a list of every record.
  if (FULL_RECORD_ID.test(text.trim())) return getRecord(client, text.trim().toLowerCase())
  const [live, trash] = await Promise.all([client.call("records.list", {}), client.call("records.list", { trash: true })])
  const matches = matchIdPrefix([...live, ...trash], text, (record) => record.id)
  if (matches.length === 0) {
    // Not an id: a title or web address host naming one live record (AMBIGUOUS when several).
    const found = await client.call("records.find", { query: text }).catch((error: unknown) => {
      if (error instanceof LanvaultError && error.code === "NOT_FOUND") return undefined
      throw error
    })
    if (found === undefined) return { id: text.trim() }
    return { id: found.id, summary: live.find((record) => record.id === found.id) }
  }
  if (matches.length === 1) return { id: matches[0].id, summary: matches[0] }
  throw ambiguous(text, matches.map((record) => `${shortId(record.id)}…  ${record.title}${record.trashed ? " (in trash)" : ""}`))
}

async function getRecord(client: LanvaultClient, id: string): Promise<{ id: string; summary?: RecordSummary }> {
  try {
    const { fields, notes: _notes, ...rest } = await client.call("records.get", { id })
    const kinds = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, { kind: field.kind }]))
    return { id, summary: { ...rest, fields: kinds } }
  } catch (error) {
    if (error instanceof LanvaultError && error.code === "NOT_FOUND") return { id }
    throw error
  }
}

/** A device by full id, unique id prefix or exact name (case-insensitive). */
export async function resolveDevice(client: LanvaultClient, text: string): Promise<DeviceInfo> {
  const devices = await client.call("devices.list", {})
  let matches = matchIdPrefix(devices, text, (device) => device.deviceId)
  if (matches.length === 0) matches = devices.filter((device) => device.name.toLowerCase() === text.trim().toLowerCase())
  if (matches.length === 1) return matches[0]
  if (matches.length === 0) throw new LanvaultError("NOT_FOUND", `no device "${text}": see \`lanvault devices\``)
  throw ambiguous(text, matches.map((device) => `${shortId(device.deviceId)}…  ${device.name}`))
}

function ambiguous(text: string, candidates: string[]): CliError {
  const shown = candidates.slice(0, MAX_CANDIDATES_SHOWN).map((line) => `  ${line}`)
  if (candidates.length > shown.length) shown.push(`  … and ${candidates.length - shown.length} more`)
  return new CliError([`"${text}" matches ${candidates.length} ids: give more characters. Candidates:`, ...shown].join("\n"))
}
