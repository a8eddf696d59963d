/**
 * Measures the layout rules of issue 10 on a source tree: files over 300 lines, the size of
 * daemon/, import cycles, the CLI's reach past api/, the users of the whole VaultStore port,
 * the reads of META.accountId, and the files and folders a `records.update` passes.
 * `node --import tsx scripts/layout-report.ts [ROOT]` prints the report (ROOT defaults to this
 * checkout, so an exported older commit can be measured the same way); test/unit/layout.test.ts
 * uses the same functions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

export const MAX_FILE_LINES = 300
export const MAX_DAEMON_LINES = 900
/** What the CLI may import besides itself: the socket client side, the error table, and the two daemon entry points it starts. */
export const CLI_ENTRY_POINTS = ["src/errors.ts", "src/daemon/run-daemon.ts", "src/daemon/run-join.ts"]

/** One import of a source file: the module it names and whether only types come from it. */
export interface ImportRef {
  spec: string
  typeOnly: boolean
  dynamic: boolean
}

/** A source tree rooted at `root` (the folder holding src/). */
export class SourceTree {
  private readonly texts = new Map<string, string>()

  constructor(readonly root: string) {}

  /** Files under `dir` (relative to the root) ending in `suffix`, sorted. */
  files(dir = "src", suffix = ".ts"): string[] {
    if (!existsSync(join(this.root, dir))) return []
    return readdirSync(join(this.root, dir))
      .sort()
      .flatMap((name) => {
        const path = join(dir, name)
        if (statSync(join(this.root, path)).isDirectory()) return this.files(path, suffix)
        return path.endsWith(suffix) && !path.endsWith(".d.ts") ? [path] : []
      })
  }

  text(path: string): string {
    let text = this.texts.get(path)
    if (text === undefined) {
      text = readFileSync(join(this.root, path), "utf8")
      this.texts.set(path, text)
    }
    return text
  }

  /** Lines as an editor counts them (a final newline opens no line). */
  lines(path: string): number {
    const all = this.text(path).split("\n")
    return all[all.length - 1] === "" ? all.length - 1 : all.length
  }

  imports(path: string): ImportRef[] {
    const text = this.text(path)
    const refs: ImportRef[] = []
    for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^"';]*?)\s*from\s*"([^"]+)"/gms)) {
      const named = /^\{([^}]*)\}$/s.exec(m[3].trim())
      const allTypes = named !== null && named[1].split(",").map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith("type "))
      refs.push({ spec: m[4], typeOnly: m[2] !== undefined || allTypes, dynamic: false })
    }
    for (const m of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) refs.push({ spec: m[1], typeOnly: false, dynamic: false })
    for (const m of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) refs.push({ spec: m[1], typeOnly: false, dynamic: true })
    return refs
  }

  /** The source file a relative import names (`./x.js` → `dir/x.ts`), or undefined for a package. */
  target(from: string, spec: string): string | undefined {
    if (!spec.startsWith(".")) return undefined
    const path = join(dirname(from), spec).replace(/\.js$/, ".ts")
    return existsSync(join(this.root, path)) ? path : undefined
  }

  /** Relative imports of `path` that load code at run time (type-only imports are erased by tsc). */
  runtimeTargets(path: string, withDynamic = true): string[] {
    return this.imports(path)
      .filter((ref) => !ref.typeOnly && (withDynamic || !ref.dynamic))
      .map((ref) => this.target(path, ref.spec))
      .filter((target): target is string => target !== undefined)
  }
}

/** `path: lines` of every src file over the limit. */
export function longFiles(tree: SourceTree): string[] {
  return tree.files().filter((path) => tree.lines(path) > MAX_FILE_LINES).map((path) => `${path}: ${tree.lines(path)}`)
}

export function daemonLines(tree: SourceTree): { files: number; lines: number } {
  const files = tree.files("src/daemon")
  return { files: files.length, lines: files.reduce((sum, path) => sum + tree.lines(path), 0) }
}

/**
 * Import cycles among src files, counting only imports that load code at start (static, not
 * type-only): each cycle once, as the file list from its smallest member.
 */
export function importCycles(tree: SourceTree): string[][] {
  const files = tree.files()
  const edges = new Map(files.map((path) => [path, [...new Set(tree.runtimeTargets(path, false))]]))
  const cycles = new Map<string, string[]>()
  const state = new Map<string, "open" | "done">()
  const stack: string[] = []
  const visit = (node: string) => {
    state.set(node, "open")
    stack.push(node)
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") {
        const cycle = stack.slice(stack.indexOf(next))
        const start = cycle.indexOf([...cycle].sort()[0])
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)]
        cycles.set(canonical.join(" -> "), canonical)
      } else if (state.get(next) === undefined) {
        visit(next)
      }
    }
    stack.pop()
    state.set(node, "done")
  }
  for (const file of files) if (state.get(file) === undefined) visit(file)
  return [...cycles.values()]
}

/** `cli file -> target` for every import of the CLI outside cli/, api/ and the entry points. */
export function cliReach(tree: SourceTree): string[] {
  const allowed = (target: string) => target.startsWith("src/cli/") || target.startsWith("src/api/") || CLI_ENTRY_POINTS.includes(target)
  return tree.files("src/cli").flatMap((path) =>
    tree.imports(path)
      .map((ref) => tree.target(path, ref.spec))
      .filter((target): target is string => target !== undefined && !allowed(target))
      .map((target) => `${path} -> ${target}`),
  )
}

/** Files outside store/ that name the `VaultStore` port at all (imports, re-exports and `Pick`s included). */
export function vaultStoreUsers(tree: SourceTree): string[] {
  return tree.files().filter((path) => !path.startsWith("src/store/") && /\bVaultStore\b/.test(tree.text(path)))
}

/** Of those, the files that take the whole port somewhere (a `VaultStore` that is not inside `Pick<…>` nor an import or re-export line). */
export function wholeVaultStoreUsers(tree: SourceTree): string[] {
  return vaultStoreUsers(tree).filter((path) =>
    tree.text(path).split("\n").some((line) => !/^\s*(import|export \{|export type \{|export \*|\*|\/\/|\/\*\*)/.test(line) && /\bVaultStore\b/.test(line.replace(/Pick<VaultStore\b/g, ""))),
  )
}

/** Files that read the account id from store meta. */
export function accountIdReaders(tree: SourceTree): string[] {
  return tree.files().filter((path) => /META\.accountId/.test(tree.text(path)))
}

/**
 * The hops of a `records.update` from `lanvault edit ID` (a full id) to the other device's vault,
 * in call order, as read from the code (a call path cannot be found by a grep: update this list when
 * the path moves; the report checks that every file exists). A file is listed where the edit, its
 * log entry or its bytes pass through it; helpers it calls and returns from in the same step are
 * named in the note. The first part runs in the CLI, then in device A's daemon, then in device B's.
 */
export const RECORDS_UPDATE_PATH: ReadonlyArray<readonly [string, string]> = [
  ["src/cli/record-commands.ts", "edit: options, secret fields from stdin"],
  ["src/cli/context.ts", "withClient: connect to the socket"],
  ["src/cli/id-prefix.ts", "resolveRecord: a full id costs one records.get, no records.list"],
  ["src/api/client.ts", "call(\"records.update\"): encodeRequest (rpc-codec), one line on the socket"],
  ["src/api/api-connection.ts", "A: the line arrives (LineReader)"],
  ["src/api/rpc-dispatcher.ts", "A: parseRequest, checkParams (rpc-codec), the handler"],
  ["src/daemon/handlers.ts", "A: \"records.update\": requireString, readPatch (api/params), one call"],
  ["src/vault/vault-service.ts", "A: update: queue the edit"],
  ["src/vault/edit-queue.ts", "A: group commit: apply every queued edit"],
  ["src/merge/vault-doc.ts", "A: update: the record's bucket (bucket, record-patch, validate)"],
  ["src/vault/vault-service.ts", "A: persist (edit-queue's commit hands the changes back)"],
  ["src/vault/unlocked-vault.ts", "A: commit: encodePayload (change-payload), sealEntry (store/log-entry, crypto)"],
  ["src/store/sqlite-store.ts", "A: append the own entries in one transaction"],
  ["src/daemon/daemon.ts", "A: onLocalEntries: to the replicator, the folders and the backups"],
  ["src/sync/replicator.ts", "A: publishLocal: every session"],
  ["src/sync/peer-session.ts", "A: push to the peer"],
  ["src/sync/outbound-stream.ts", "A: a batch (entry-batch), encodeMessage (messages)"],
  ["src/connections/channel-link.ts", "A: send on the device's link"],
  ["src/transport/channel.ts", "A: Noise transport message (channel-frames, cipher-state)"],
  ["src/transport/ws-frame-socket.ts", "A: one binary WebSocket message"],
  ["src/transport/ws-frame-socket.ts", "B: the message arrives"],
  ["src/transport/channel.ts", "B: decrypt, reassemble"],
  ["src/connections/channel-link.ts", "B: onMessage"],
  ["src/sync/peer-session.ts", "B: decodeMessage, verifyBatch (entry-batch), insertEntries"],
  ["src/store/sqlite-store.ts", "B: store the entries"],
  ["src/sync/replicator.ts", "B: \"entries\" event (and relay to B's other peers)"],
  ["src/daemon/sync-stack.ts", "B: wiring: entries to the vault"],
  ["src/vault/vault-service.ts", "B: applyRemote"],
  ["src/vault/unlocked-vault.ts", "B: openEntry (store/log-entry), decodePayload (change-payload)"],
  ["src/merge/vault-doc.ts", "B: applyChanges"],
]

/** The path's files, its folders, and the folders it enters more than once. */
export function pathSummary(tree: SourceTree, hops: ReadonlyArray<readonly [string, string]> = RECORDS_UPDATE_PATH) {
  const files = [...new Set(hops.map(([file]) => file))]
  const folderOf = (file: string) => dirname(file).replace(/^src\/?/, "") || "src"
  const entries: string[] = []
  for (const [file] of hops) if (entries[entries.length - 1] !== folderOf(file)) entries.push(folderOf(file))
  const folders = [...new Set(entries)]
  return {
    files,
    missing: files.filter((file) => !existsSync(join(tree.root, file))),
    folders,
    reentered: folders.filter((folder) => entries.filter((entry) => entry === folder).length > 1),
  }
}

function report(tree: SourceTree): string {
  const out: string[] = []
  const list = (title: string, items: string[]) => out.push(`${title}: ${items.length}`, ...items.map((item) => `  ${item}`))
  list(`files in src/ over ${MAX_FILE_LINES} lines`, longFiles(tree))
  const daemon = daemonLines(tree)
  out.push(`src/daemon/: ${daemon.files} files, ${daemon.lines} lines`)
  list("import cycles in src/ (static, not type-only)", importCycles(tree).map((cycle) => cycle.join(" -> ")))
  list("CLI imports outside cli/, api/, errors and the daemon entry points", cliReach(tree))
  out.push(`files outside store/ naming VaultStore: ${vaultStoreUsers(tree).length}`)
  list("files outside store/ taking the whole VaultStore (not a Pick)", wholeVaultStoreUsers(tree))
  list("files naming META.accountId", accountIdReaders(tree))
  const path = pathSummary(tree)
  out.push(`records.update, CLI to the peer's vault: ${RECORDS_UPDATE_PATH.length} hops, ${path.files.length} files, ${path.folders.length} folders (${path.folders.join(", ")})`)
  out.push(`  folders entered more than once: ${path.reentered.join(", ") || "none"}${path.missing.length > 0 ? `; MISSING files: ${path.missing.join(", ")}` : ""}`)
  const sender = pathSummary(tree, RECORDS_UPDATE_PATH.filter(([, note]) => !note.startsWith("B:")))
  const receiver = pathSummary(tree, RECORDS_UPDATE_PATH.filter(([, note]) => note.startsWith("B:")))
  out.push(`  CLI and device A: ${sender.files.length} files, re-entered: ${sender.reentered.join(", ") || "none"}; device B: ${receiver.files.length} files, re-entered: ${receiver.reentered.join(", ") || "none"}`)
  RECORDS_UPDATE_PATH.forEach(([file, note], i) => out.push(`  ${String(i + 1).padStart(2)}. ${file}  ${note}`))
  return out.join("\n")
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."))
  console.log(`layout of ${relative(process.cwd(), root) || "."}`)
  console.log(report(new SourceTree(root)))
}
