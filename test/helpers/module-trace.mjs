// Preloaded with `node --import` into a daemon under test: appends the name of
// every npm package the process loads — through `import` (an ESM resolve hook)
// or `require` (CommonJS, e.g. createRequire at first use) — one per line to the
// file named by LANVAULT_MODULE_TRACE, so a test can read what a process holds;
// lanvault's own compiled modules too, as "dist/<path>" (e.g. dist/cli/main.js).
import { appendFileSync } from "node:fs"
import Module, { register } from "node:module"

const out = process.env.LANVAULT_MODULE_TRACE
if (!out) throw new Error("module-trace: set LANVAULT_MODULE_TRACE to the file to write")

const PACKAGE = /node_modules\/((?:@[^/]+\/)?[^/]+)|\/(dist\/.+\.js)$/

const hooks = `
import { appendFileSync } from "node:fs"
let out
export function initialize(data) { out = data.out }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  const match = ${PACKAGE}.exec(result.url)
  if (match) appendFileSync(out, (match[1] ?? match[2]) + "\\n")
  return result
}`
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { out } })

const load = Module._load
Module._load = function (request, parent, isMain) {
  const loaded = load.call(this, request, parent, isMain)
  try {
    const match = PACKAGE.exec(Module._resolveFilename(request, parent, isMain))
    if (match) appendFileSync(out, `${match[1] ?? match[2]}\n`)
  } catch {
    // a built-in module: nothing to record
  }
  return loaded
}
