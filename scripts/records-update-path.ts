/**
 * The path of a `records.update` from `lanvault edit ID` (a full id) to the other device's vault, as
 * a call tree read from the code, and the check that keeps it honest: every hop's functions exist in
 * its file and the calling function holds the call named. scripts/layout-report.ts prints it;
 * test/unit/layout-path.test.ts checks it against the source.
 *
 * What counts. A hop is a file whose code is on the call stack when the edit moves on (or that the
 * edit's bytes reach over a socket). A helper called and returned from before the edit moves on
 * (codecs, a SQLite read or write, pure crypto) is a hop only when it is the edge of the path; the
 * others are named in the note of the hop that calls them. A side call that returns without carrying
 * the edit further (the local `record.changed` event, the sync folders, the backups) is named in a
 * note too. A folder is ENTERED when a hop's caller is a file of another folder, or another process
 * (over the socket or the network); a return from a callee does not enter the caller's folder again.
 */
import ts from "typescript"
import { dirname } from "node:path"
import type { SourceTree } from "./layout-report.js"

/** Who runs a hop: the CLI process, the editing device A, the other device B. */
export type Process = "CLI" | "A" | "B"

/** One hop of the path. */
export interface Hop {
  process: Process
  file: string
  /**
   * The functions of `file` the hop runs, in call order, joined by " > " ("receive > dispatch >
   * onEntries"). A closure is named by the function that holds it; an object-literal method by its key.
   */
  fn: string
  /** The 1-based number of the calling hop; none for the start. */
  from?: number
  /** The call as written in the caller's last function (checked); none when the hop is reached over a socket. */
  call?: string
  note: string
  /** A side call: it returns without carrying the edit on. Checked like the others, listed, not counted. */
  side?: true
}

/** The path through the code as it stands (update it when the code moves: the layout test fails until it matches). */
export const RECORDS_UPDATE_HOPS: readonly Hop[] = [
  { process: "CLI", file: "src/cli/record-commands.ts", fn: "runEdit", note: "edit: options; resolveRecord (id-prefix: a full id costs one records.get, no records.list); secret fields from stdin" },
  { process: "CLI", file: "src/cli/context.ts", fn: "withClient", from: 1, call: "ctx.withClient(command,", note: "connect (api/client) to the socket, run the command's body" },
  { process: "CLI", file: "src/cli/record-commands.ts", fn: "runEdit", from: 2, call: "use(client)", note: "the body: the patch" },
  { process: "CLI", file: "src/api/client.ts", fn: "call", from: 3, call: "client.call(\"records.update\"", note: "encodeRequest (rpc-codec), one line on the socket" },
  { process: "A", file: "src/api/api-connection.ts", fn: "onData > dispatch", from: 4, note: "the line arrives (LineReader splits lines)" },
  { process: "A", file: "src/api/rpc-dispatcher.ts", fn: "handle > invoke", from: 5, call: ".handle(line, { connectionId: this.id })", note: "the dispatcher's handle, bound by api-server at accept; parseRequest, checkParams (rpc-codec), the handler" },
  { process: "A", file: "src/daemon/handlers.ts", fn: "refuseWritesOutOfStanding", from: 6, call: "handler(checkParams(params), ctx)", note: "a write first checks this device's standing" },
  { process: "A", file: "src/daemon/handlers.ts", fn: "records.update", from: 7, call: "handler(params)", note: "requireString and readPatch (api/params), one call" },
  { process: "A", file: "src/vault/vault-changes.ts", fn: "update > enqueue > commit", from: 8, call: "vault.changes.update(requireString(params, \"id\"), readPatch(params))", note: "queue the edit; the group commit runs in the next turn of the event loop" },
  { process: "A", file: "src/vault/vault-changes.ts", fn: "update", from: 9, call: "edit.apply(doc)", note: "the queued edit (a closure of update)" },
  { process: "A", file: "src/merge/vault-doc.ts", fn: "patch", from: 10, call: "doc.patch(id, patch)", note: "the record's bucket changes (bucket, record-patch, validate); returns the changes" },
  { process: "A", file: "src/vault/vault-changes.ts", fn: "persist", from: 9, call: "this.persist(", note: "then record.changed to the socket (publish: a side call through daemon.ts, returns), then the sinks" },
  { process: "A", file: "src/vault/unlocked-vault.ts", fn: "commit", from: 12, call: "open.commit(changes)", note: "encodePayload (change-payload), sealEntry (store/log-entry, crypto)" },
  { process: "A", file: "src/store/sqlite-store.ts", fn: "appendOwn", from: 13, call: "store.appendOwn(entry)", note: "append the own entries in one transaction; returns" },
  { process: "A", file: "src/sync/replicator.ts", fn: "publishLocal", from: 12, call: "sink.publishLocal(entries)", note: "a sink (the others: the sync folders, added with it by the sync stack, and the backups, added by daemon.ts)" },
  { process: "A", file: "src/sync/peer-session.ts", fn: "push", from: 15, call: "session.push(entries)", note: "to this peer's outbound stream" },
  { process: "A", file: "src/sync/outbound-stream.ts", fn: "push > sendLive", from: 16, call: "this.outbound.push(entries)", note: "a caught-up peer gets the new entries as they are (a peer still catching up: read from the store by sendBatch)" },
  { process: "A", file: "src/sync/peer-session.ts", fn: "constructor > send", from: 17, call: "this.deps.send({ type: \"entries\", entries: [...entries] })", note: "encodeMessage (messages); link.send is the channel's send, bound by ChannelLink at construction" },
  { process: "A", file: "src/transport/channel.ts", fn: "send", from: 18, call: "this.deps.link.send(encodeMessage(message))", note: "Noise transport messages (channel-frames, cipher-state)" },
  { process: "A", file: "src/transport/ws-frame-socket.ts", fn: "send", from: 19, call: "this.#socket.send(ciphertext)", note: "one binary WebSocket message" },
  { process: "B", file: "src/transport/ws-frame-socket.ts", fn: "constructor > #onMessage", from: 20, note: "the message arrives (ws)" },
  { process: "B", file: "src/transport/channel.ts", fn: "constructor > #onFrame > #onPlaintext", from: 21, call: "this.#messageHandler(bytes)", note: "decrypt (cipher-state), reassemble" },
  { process: "B", file: "src/sync/peer-session.ts", fn: "start > receive > dispatch > onEntries > storeEntries", from: 22, call: "this.#messageHandler(message)", note: "the listener given to link.onMessage (ChannelLink hands it to the channel); decodeMessage (messages); EntryIntake.check: verifyBatch (entry-batch) at once for a live batch (a larger one a slice of signatures per turn, later messages waiting in the InboundQueue)" },
  { process: "B", file: "src/store/sqlite-store.ts", fn: "insertEntries", from: 23, call: "this.deps.store.insertEntries(accepted, { waitForDisk: false })", note: "store the entries (no fsync: copies whose author holds them durably); returns" },
  { process: "B", file: "src/sync/replicator.ts", fn: "addLink > received", from: 23, call: "this.deps.onEntries(inserted)", note: "merge, then the replicator's event and the relay to B's other peers" },
  { process: "B", file: "src/vault/vault-changes.ts", fn: "applyRemote", from: 25, call: "this.deps.applier?.applyRemote(entries)", note: "the applier port (the vault's changes, given to the replicator at construction); an open vault merges now" },
  { process: "B", file: "src/vault/unlocked-vault.ts", fn: "applyEntries > merge", from: 26, call: "open.applyEntries(entries)", note: "openEntry (store/log-entry), decodePayload (change-payload)" },
  { process: "B", file: "src/merge/vault-doc.ts", fn: "applyChanges", from: 27, call: "this.doc.applyChanges(changes)", note: "the record changes" },
  // Side calls of A's commit and B's merge.
  { process: "A", file: "src/daemon/daemon.ts", fn: "start > publish", from: 12, call: "this.deps.publish({ type: \"record.changed\", id, origin: \"local\"", side: true, note: "the socket's events, wired by the composition root (lock events also go to the browser socket)" },
  { process: "A", file: "src/api/api-server.ts", fn: "publish", from: 29, call: "this.api?.publish(event)", side: true, note: "a record.changed line to each subscribed connection (api-connection pushEvent)" },
  { process: "A", file: "src/folder/folder-manager.ts", fn: "publishLocal", from: 12, call: "sink.publishLocal(entries)", side: true, note: "a sink: each sync folder's own log file" },
  { process: "A", file: "src/backup/backup-service.ts", fn: "publishLocal", from: 12, call: "sink.publishLocal(entries)", side: true, note: "a sink: counts towards the next automatic backup" },
  { process: "B", file: "src/vault/vault-changes.ts", fn: "announceRemote", from: 26, call: "this.announceRemote(open.applyEntries(entries))", side: true, note: "record.changed for what the merge changed" },
  { process: "B", file: "src/daemon/daemon.ts", fn: "start > publish", from: 33, call: "this.deps.publish({ type: \"record.changed\", id, origin: \"remote\"", side: true, note: "the socket's events" },
  { process: "B", file: "src/api/api-server.ts", fn: "publish", from: 34, call: "this.api?.publish(event)", side: true, note: "to B's subscribed connections" },
]

/** The folder of a src file ("vault" for src/vault/x.ts, "src" for a file at the top). */
export function folderOf(file: string): string {
  return dirname(file).replace(/^src\/?/, "") || "src"
}

/** How a path crosses the source tree: its files and folders, and where it enters a folder. */
export interface PathSummary {
  files: string[]
  /** Files only side calls reach (not counted in `files`). */
  sideFiles: string[]
  folders: string[]
  /** Per process, the folders in the order the path enters them (a folder twice is a re-entry). */
  entries: Record<Process, string[]>
  /** "A: vault (2×)" for every folder entered more than once by one process. */
  reentered: string[]
}

export function summarize(hops: readonly Hop[] = RECORDS_UPDATE_HOPS): PathSummary {
  const entries: Record<Process, string[]> = { CLI: [], A: [], B: [] }
  const main = hops.filter((hop) => hop.side !== true)
  hops.forEach((hop) => {
    if (hop.side === true) return
    const caller = hop.from === undefined ? undefined : hops[hop.from - 1]
    if (caller === undefined || caller.process !== hop.process || folderOf(caller.file) !== folderOf(hop.file)) entries[hop.process].push(folderOf(hop.file))
  })
  const reentered = (Object.keys(entries) as Process[]).flatMap((process) => {
    const counts = new Map<string, number>()
    for (const folder of entries[process]) counts.set(folder, (counts.get(folder) ?? 0) + 1)
    return [...counts].filter(([, n]) => n > 1).map(([folder, n]) => `${process}: ${folder} (${n}×)`)
  })
  const files = [...new Set(main.map((hop) => hop.file))]
  const sideFiles = [...new Set(hops.filter((hop) => hop.side === true && !files.includes(hop.file)).map((hop) => hop.file))]
  return { files, sideFiles, folders: [...new Set(main.map((hop) => folderOf(hop.file)))], entries, reentered }
}

/** The functions named `name` in a source file: declarations, methods, accessors, and properties or variables holding a function. */
function functionsNamed(source: ts.SourceFile, name: string): ts.Node[] {
  const found: ts.Node[] = []
  const nameOf = (node: ts.Node): string | undefined => {
    if (ts.isConstructorDeclaration(node)) return "constructor"
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessor(node)) return node.name?.getText(source).replace(/^["']|["']$/g, "")
    if ((ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node) || ts.isVariableDeclaration(node)) && node.initializer !== undefined
      && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) return node.name.getText(source).replace(/^["']|["']$/g, "")
    return undefined
  }
  const visit = (node: ts.Node) => {
    if (nameOf(node) === name) found.push(node)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** What does not match the code: a missing file or function, a call its caller does not hold. Empty when the path is honest. */
export function checkHops(tree: SourceTree, hops: readonly Hop[] = RECORDS_UPDATE_HOPS): string[] {
  const sources = new Map<string, ts.SourceFile | undefined>()
  const sourceOf = (file: string) => {
    if (!sources.has(file)) {
      let text: string | undefined
      try {
        text = tree.text(file)
      } catch {
        text = undefined
      }
      sources.set(file, text === undefined ? undefined : ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true))
    }
    return sources.get(file)
  }
  const problems: string[] = []
  const chain = (hop: Hop) => hop.fn.split(">").map((name) => name.trim())
  hops.forEach((hop, i) => {
    const at = `hop ${i + 1} (${hop.file})`
    const source = sourceOf(hop.file)
    if (source === undefined) return void problems.push(`${at}: no such file`)
    const names = chain(hop)
    names.forEach((name, j) => {
      const fns = functionsNamed(source, name)
      if (fns.length === 0) problems.push(`${at}: no function ${name}`)
      // Each function of the chain calls the next one of the same file.
      const next = names[j + 1]
      if (next !== undefined && fns.length > 0 && !fns.some((fn) => fn.getText(source).includes(next))) problems.push(`${at}: ${name} does not call ${next}`)
    })
    if (hop.from === undefined) return
    const caller = hops[hop.from - 1]
    if (caller === undefined || hop.from > i) return void problems.push(`${at}: its caller ${hop.from} is not an earlier hop`)
    if (hop.call === undefined) {
      if (caller.process === hop.process) problems.push(`${at}: reached from hop ${hop.from} of the same process without a call`)
      return
    }
    const callerSource = sourceOf(caller.file)
    const last = chain(caller).at(-1)!
    if (callerSource !== undefined && !functionsNamed(callerSource, last).some((fn) => fn.getText(callerSource).includes(hop.call!))) {
      problems.push(`${at}: ${caller.file} ${last} holds no call ${hop.call}`)
    }
  })
  return problems
}

/** The report's lines about the path. */
export function pathReport(tree: SourceTree, hops: readonly Hop[] = RECORDS_UPDATE_HOPS): string[] {
  const summary = summarize(hops)
  const resolved = resolveCalls(tree, hops)
  const problems = [...checkHops(tree, hops), ...resolved.problems]
  const how = new Map(resolved.targets.map((target) => [target.hop, `${target.kind}: ${target.declaration}`]))
  const perProcess = (process: Process) => {
    const own = summarize(hops.filter((hop) => hop.process === process))
    return `${process}: ${own.files.length} files, enters ${summary.entries[process].join(" → ")}`
  }
  const mainHops = hops.filter((hop) => hop.side !== true).length
  return [
    `records.update, CLI to the peer's vault: ${mainHops} hops, ${summary.files.length} files, ${summary.folders.length} folders (${summary.folders.join(", ")})`,
    "  (a hop is a file on the call stack when the edit moves on; a folder is entered by a call from a file of another folder or from another process; returns do not enter)",
    `  folders entered more than once by one process: ${summary.reentered.join(", ") || "none"}`,
    `  ${perProcess("CLI")}; ${perProcess("A")}; ${perProcess("B")}`,
    `  side calls (they return without carrying the edit on; listed, not counted): ${hops.length - mainHops}, reaching ${summary.sideFiles.length} more files: ${summary.sideFiles.join(", ") || "none"}`,
    `  checked against the code: ${problems.length === 0 ? "every hop's functions and calls are there, and the type checker resolves each call to its callee, a port it implements, or a function value" : `${problems.length} MISMATCHES`}`,
    ...problems.map((problem) => `    ${problem}`),
    ...hops.map((hop, i) => `  ${String(i + 1).padStart(2)}. ${hop.process.padEnd(3)} ${hop.side === true ? "(side) " : ""}${hop.file} ${hop.fn}${hop.from === undefined ? "" : `  ← ${hop.from}${hop.call === undefined ? " (socket)" : ` (${how.get(i + 1) ?? "?"})`}`}  ${hop.note}`),
  ]
}

/** How the type checker resolves a hop's call: straight to the callee's function, through a port (an interface member), or through a function value. */
export interface CallTarget {
  hop: number
  kind: "direct" | "port" | "function value"
  /** Where the call's declaration is: "src/sync/ports.ts EntryApplier.applyRemote". */
  declaration: string
}

/**
 * Resolves every hop's call with the TypeScript checker. A call that resolves to a function of
 * another file than the callee's, or of another name, is a problem: the path says one thing and the
 * code calls another. A call through a port or a function value is listed as such (the wiring at
 * start decides where it lands: a port's member must be the function the hop names).
 */
export function resolveCalls(tree: SourceTree, hops: readonly Hop[] = RECORDS_UPDATE_HOPS): { targets: CallTarget[]; problems: string[] } {
  const program = programOf(tree)
  const checker = program.getTypeChecker()
  const relative = (file: string) => file.slice(tree.root.replace(/\/$/, "").length + 1)
  const targets: CallTarget[] = []
  const problems: string[] = []
  hops.forEach((hop, i) => {
    if (hop.from === undefined || hop.call === undefined) return
    const caller = hops[hop.from - 1]
    const source = program.getSourceFile(`${tree.root}/${caller.file}`.replace(/\/\//g, "/"))
    const last = caller.fn.split(">").map((name) => name.trim()).at(-1)!
    const holder = source === undefined ? undefined : functionsNamed(source, last).find((fn) => fn.getText(source).includes(hop.call!))
    if (source === undefined || holder === undefined) return // checkHops reports it
    const start = holder.getStart(source) + holder.getText(source).indexOf(hop.call)
    let call: ts.CallExpression | undefined
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && node.getStart(source) <= start && start < node.getEnd() && (call === undefined || node.getWidth(source) < call.getWidth(source))) {
        // The innermost call whose callee text holds the snippet's start (not an argument's call).
        if (node.expression.getStart(source) <= start && start <= node.expression.getEnd()) call = node
      }
      ts.forEachChild(node, visit)
    }
    visit(holder)
    if (call === undefined) return void problems.push(`hop ${i + 1}: no call expression at ${hop.call}`)
    const declaration = checker.getResolvedSignature(call)?.getDeclaration()
    if (declaration === undefined) return void problems.push(`hop ${i + 1}: the checker cannot resolve ${hop.call}`)
    const file = relative(declaration.getSourceFile().fileName)
    const at = `${file} ${nameOf(declaration)}`.trim()
    if (ts.isFunctionTypeNode(declaration)) return void targets.push({ hop: i + 1, kind: "function value", declaration: at })
    const name = nameOf(declaration).split(".").at(-1)!
    const first = hop.fn.split(">")[0].trim()
    if (ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) {
      // Through a port the callee is whatever was wired in; it must at least implement the member called.
      if (name !== first) problems.push(`hop ${i + 1}: ${hop.call} calls the port member ${at}, but the hop runs ${hop.file} ${first}`)
      return void targets.push({ hop: i + 1, kind: "port", declaration: at })
    }
    if (file !== hop.file || name !== first) {
      return void problems.push(`hop ${i + 1}: ${hop.call} calls ${at}, not ${hop.file} ${first}`)
    }
    targets.push({ hop: i + 1, kind: "direct", declaration: at })
  })
  return { targets, problems }
}

const programs = new Map<string, ts.Program>()

/** The program of a tree's src/, built once per root (seconds: the checker reads every file). */
function programOf(tree: SourceTree): ts.Program {
  let program = programs.get(tree.root)
  if (program === undefined) {
    const roots = tree.files("src").map((file) => `${tree.root}/${file}`)
    program = ts.createProgram(roots, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, skipLibCheck: true, noEmit: true, types: ["node"] })
    programs.set(tree.root, program)
  }
  return program
}

/** "Owner.member" for a declaration: a function type is named by what holds it (a property, a parameter, a type alias). */
function nameOf(declaration: ts.Node): string {
  let node: ts.Node | undefined = declaration
  while (node !== undefined && !hasName(node)) node = node.parent
  if (node === undefined) return ""
  const own = (node.name as ts.Node).getText().replace(/^["']|["']$/g, "")
  let owner: ts.Node | undefined = node.parent
  while (owner !== undefined && !(ts.isInterfaceDeclaration(owner) || ts.isClassDeclaration(owner) || ts.isTypeAliasDeclaration(owner) || ts.isFunctionLike(owner))) owner = owner.parent
  const ownerName = owner !== undefined && "name" in owner && owner.name !== undefined ? (owner.name as ts.Node).getText() : ""
  return ownerName === "" ? own : `${ownerName}.${own}`
}

function hasName(node: ts.Node): node is ts.Node & { name: ts.Node } {
  return (ts.isPropertySignature(node) || ts.isMethodSignature(node) || ts.isParameter(node) || ts.isTypeAliasDeclaration(node) || ts.isVariableDeclaration(node)
    || ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionDeclaration(node)) && node.name !== undefined
}
