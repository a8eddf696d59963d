/**
 * Measures the layout rules of issue 10 on a source tree: files over 300 lines, the size of
 * daemon/, import cycles, the CLI's reach past api/, the users of the whole VaultStore port,
 * the reads of META.accountId, and the files and folders a `records.update` passes (the path itself,
 * and the check that it matches the code, are in scripts/records-update-path.ts).
 * `node --import tsx scripts/layout-report.ts [ROOT]` prints the report (ROOT defaults to this
 * checkout, so an exported older commit can be measured the same way); test/unit/layout.test.ts
 * uses the same functions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { pathReport } from "./records-update-path.js"

export const MAX_FILE_LINES = 300
export const MAX_DAEMON_LINES = 900
/**
 * What the CLI may import besides itself: the socket client side, the error table, the two daemon
 * entry points it starts, and the process's young-generation setting (the daemon's heap is set before they load).
 */
export const CLI_ENTRY_POINTS = ["src/errors.ts", "src/daemon/run-daemon.ts", "src/daemon/run-join.ts", "src/young-generation.ts"]
/** The one file that opens the store and so holds the whole VaultStore; every other consumer declares a narrow port. */
export const COMPOSITION_ROOT = "src/daemon/daemon.ts"

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

/**
 * The files that may name `META.accountId`, and why: everywhere else the account id is read once
 * (account-context.ts) and passed in.
 */
export const ACCOUNT_ID_OWNERS: Readonly<Record<string, string>> = {
  "src/account/account-context.ts": "reads it once into the AccountContext the daemon passes on",
  "src/account/account.ts": "init writes it and refuses a home that holds one; reset keeps it",
  "src/backup/former-vault.ts": "reads the vault a join is about to replace, maybe another account's: no context describes it",
  "src/pairing/join.ts": "join writes the id of the account the device joined",
}

/** Files that read the account id from store meta. */
export function accountIdReaders(tree: SourceTree): string[] {
  return tree.files().filter((path) => /META\.accountId/.test(tree.text(path)))
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
  list("files naming META.accountId", accountIdReaders(tree).map((path) => `${path}${ACCOUNT_ID_OWNERS[path] ? `  (${ACCOUNT_ID_OWNERS[path]})` : ""}`))
  out.push(...pathReport(tree))
  return out.join("\n")
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."))
  console.log(`layout of ${relative(process.cwd(), root) || "."}`)
  console.log(report(new SourceTree(root)))
}
