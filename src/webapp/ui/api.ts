/** The page's side of the app server: calls relayed to the daemon's socket, and its live events. */
import type { RecordSummary, VaultRecord, HistoryEntry, RecordInput, RecordPatch, FieldValue, FieldKind } from "../../merge/types.js"
import type { DeviceInfo, StatusResult, EventParams } from "../../api/protocol.js"

export type { RecordSummary, VaultRecord, HistoryEntry, RecordInput, RecordPatch, DeviceInfo, StatusResult, EventParams, FieldValue, FieldKind }

/** A daemon error as the page sees it: its stable code and a message meant for people. */
export class ApiError extends Error {
  constructor(readonly code: string, message: string) {
    super(message)
  }
}

let lastCallAt = Date.now()

/** When this page last talked to the daemon (each call counts as activity for the daemon's auto-lock). */
export function lastActivityAt(): number {
  return lastCallAt
}

/** Calls a socket method through the app server (`POST /api/call`, same origin, cookie session). */
export async function call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  lastCallAt = Date.now()
  const response = await fetch("/api/call", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ method, params }),
    credentials: "same-origin",
  })
  let body: { result?: T; error?: { code: string; message: string } }
  try {
    body = await response.json()
  } catch {
    throw new ApiError(response.status === 401 ? "NO_SESSION" : "INTERNAL", response.status === 401 ? "this window's session ended: run `lanvault app` again" : `the app server answered ${response.status}`)
  }
  if (body.error) throw new ApiError(body.error.code, body.error.message)
  return body.result as T
}

/** What the event stream carries: daemon events, plus whether the daemon link is up. */
export type LiveEvent = EventParams | { type: "daemon"; connected: boolean }

/** Opens the server-sent event stream; returns the function that closes it. */
export function listen(onEvent: (event: LiveEvent) => void, onState: (open: boolean) => void): () => void {
  const source = new EventSource("/api/events")
  const handle = (message: MessageEvent<string>) => {
    try {
      onEvent(JSON.parse(message.data) as LiveEvent)
    } catch {
      // A malformed frame is dropped; the stream goes on.
    }
  }
  source.addEventListener("lanvault", handle as EventListener)
  source.addEventListener("daemon", handle as EventListener)
  source.onopen = () => onState(true)
  source.onerror = () => onState(false)
  return () => source.close()
}

/** Hands a file to the daemon's import (it detects the format); the server keeps it on disk only during the call. */
export async function importFile(file: File): Promise<{ imported: number; format: string; skipped: unknown[] }> {
  lastCallAt = Date.now()
  const response = await fetch("/api/import", {
    method: "POST",
    headers: { "Content-Type": "application/octet-stream", "X-File-Name": encodeURIComponent(file.name) },
    body: file,
    credentials: "same-origin",
  })
  const body = (await response.json().catch(() => ({ error: { code: "INTERNAL", message: `the app server answered ${response.status}` } }))) as {
    result?: { imported: number; format: string; skipped: unknown[] }
    error?: { code: string; message: string }
  }
  if (body.error) throw new ApiError(body.error.code, body.error.message)
  return body.result!
}

/** An export the app server made for this page: the file's bytes and the name to save it under. */
export interface ExportedFile {
  blob: Blob
  fileName: string
  exported: number
}

/** Asks for an export (`POST /api/export`: the format and a KDBX password go in the body, never in a URL). */
export async function exportFile(format: string, password?: string): Promise<ExportedFile> {
  lastCallAt = Date.now()
  const response = await fetch("/api/export", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(password === undefined ? { format } : { format, password }),
    credentials: "same-origin",
  })
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } }
    throw new ApiError(body.error?.code ?? "INTERNAL", body.error?.message ?? `the app server answered ${response.status}`)
  }
  const fileName = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "lanvault-export"
  return { blob: await response.blob(), fileName, exported: Number(response.headers.get("x-exported-records") ?? 0) }
}
