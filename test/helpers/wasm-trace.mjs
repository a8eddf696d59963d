// Preloaded with `node --import` into a daemon under test: appends a line to the
// file named by LANVAULT_WASM_TRACE when an Automerge wasm instance is made
// ("created N") and when the garbage collector has freed it ("collected N"), so a
// test can see from outside that `lock` let go of the instance and its memory.
// Only the daemon's own thread is traced: an import's worker thread makes an
// instance of its own (it writes the new buckets), which ends with the worker,
// terminated when the import ends (lean-daemon's RSS test sees that memory go).
import { appendFileSync } from "node:fs"
import { isMainThread } from "node:worker_threads"

const out = process.env.LANVAULT_WASM_TRACE
if (!out) throw new Error("wasm-trace: set LANVAULT_WASM_TRACE to the file to write")

// Automerge's wasm-bindgen glue exports this; other wasm (none in the daemon today) is not traced.
const AUTOMERGE_EXPORT = "__wbg_automerge_free"
const collected = new FinalizationRegistry((n) => appendFileSync(out, `collected ${n}\n`))
let made = 0

const Original = WebAssembly.Instance
if (isMainThread) WebAssembly.Instance = class TracedInstance extends Original {
  constructor(module, imports) {
    super(module, imports)
    if (!(AUTOMERGE_EXPORT in this.exports)) return
    const n = ++made
    appendFileSync(out, `created ${n}\n`)
    // The memory is what must go: register it (it dies with the instance, not before).
    collected.register(this.exports.memory, n)
  }
}
