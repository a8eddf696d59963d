/**
 * Automerge, with a wasm instance of its own for each unlocked session. A
 * WebAssembly memory only ever grows (≈ 60 MiB after 10k records, several
 * hundred after a 50k import), so the only way to give it back at `lock` is to
 * drop the whole instance: {@link releaseAutomerge} swaps in an API that throws
 * LOCKED, and once no document made with the old instance is reachable, the
 * garbage collector frees its memory. {@link renewAutomerge} readies a fresh
 * instance for the next unlock, made (≈ 15 ms) only when a document is first
 * needed: an unlock that lists from the summary index and reads no record in
 * full never makes one. Every file of merge/ takes Automerge
 * from here, never from the package's default entry (which holds one instance
 * for the life of the process).
 */
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { use } from "@automerge/automerge/slim"
import { LockedError } from "../errors.js"
import { WasmRoom, type WasmAllocator } from "./wasm-room.js"

export * from "@automerge/automerge/slim"

type Api = Parameters<typeof use>[0]

/**
 * The members Automerge calls on its API (its ApiHandler, low_level.js): a
 * deferred API has these, each making the instance on first call.
 */
const API_MEMBERS = [
  "create", "load", "encodeChange", "decodeChange", "initSyncState", "encodeSyncMessage", "decodeSyncMessage",
  "encodeSyncState", "decodeSyncState", "exportSyncState", "importSyncState", "readBundle", "wasmReleaseInfo",
]

/** What of the WebAssembly global is used here (the project's TypeScript libs leave it out). */
interface WebAssemblyGlobal {
  Instance: new (...args: unknown[]) => { exports: Record<string, unknown> }
  Memory: abstract new (...args: never[]) => unknown
}
const wasmGlobal = (globalThis as unknown as { WebAssembly: WebAssemblyGlobal }).WebAssembly

/** The wasm-bindgen glue for Node: requiring it afresh compiles and instantiates a new wasm module. */
const BINDINGS_FROM_WASM_FILE = "mjs/wasm_bindgen_output/nodejs/automerge_wasm.cjs"

let released = false
/** The names of the API's members (strings only: no hold on an instance). */
let apiNames: string[] = []
/** How many instances {@link renewAutomerge} readied. */
let renewals = 0
/** The free room of the instance in use (none until it is made, or once released: it would hold the instance). */
let room: WasmRoom | undefined

/**
 * Makes a new wasm instance the one every new document uses, once one is needed
 * (the first Automerge call makes it). Documents made before keep theirs.
 */
export function renewAutomerge(): void {
  use(deferredApi())
  released = false
  renewals++
}

/** Which instance new documents use (made or still to be made): another number, another instance, cold again. */
export function automergeInstance(): number {
  return renewals
}

/**
 * Drops this module's hold on the current instance: new documents fail with
 * LOCKED until {@link renewAutomerge}. The instance's memory is freed once the
 * documents made with it are garbage too.
 */
export function releaseAutomerge(): void {
  if (released) return
  use(lockedApi())
  room = undefined
  released = true
}

/**
 * After work that may have grown the instance's memory (a bucket loaded, changed or merged into): keeps free
 * room in it, so it grows by large steps, each costing V8 a full collection (merge/wasm-room.ts). Cheap when it did not grow.
 */
export function keepWasmRoom(): void {
  room?.keep()
}

/** The size of the instance's memory in bytes; 0 before it is made or once released. */
export function wasmMemoryBytes(): number {
  return room?.bytes ?? 0
}

/** Whether {@link releaseAutomerge} ran since the last {@link renewAutomerge}. */
export function isAutomergeReleased(): boolean {
  return released
}

/** An API whose first call makes the instance, hands the API over to it (`use`) and forwards the call. */
function deferredApi(): Api {
  const instantiate = (): Record<string, (...args: unknown[]) => unknown> => {
    const { api, wasm } = freshBindings()
    apiNames = Object.keys(api)
    use(api)
    room = wasm === undefined ? undefined : new WasmRoom(wasm)
    room?.keep()
    return api as unknown as Record<string, (...args: unknown[]) => unknown>
  }
  return Object.fromEntries(API_MEMBERS.map((name) => [name, (...args: unknown[]) => instantiate()[name](...args)])) as unknown as Api
}

/**
 * The bindings, and the exports of the instance they made: the glue keeps them to itself, so the
 * instance is seen as it is made (WebAssembly.Instance wrapped for this synchronous require only).
 */
function freshBindings(): { api: Api; wasm?: WasmAllocator } {
  // A require of its own each time: once the module is out of the cache, nothing but the documents made with it holds it.
  const require = createRequire(import.meta.url)
  const path = join(dirname(require.resolve("@automerge/automerge/automerge.wasm")), BINDINGS_FROM_WASM_FILE)
  const Instance = wasmGlobal.Instance
  let wasm: WasmAllocator | undefined
  wasmGlobal.Instance = new Proxy(Instance, {
    construct(target, args) {
      const instance = Reflect.construct(target, args) as InstanceType<WebAssemblyGlobal["Instance"]>
      if (isAllocator(instance.exports)) wasm = instance.exports
      return instance
    },
  })
  delete require.cache[path]
  try {
    return { api: require(path) as Api, wasm }
  } finally {
    wasmGlobal.Instance = Instance
    delete require.cache[path]
  }
}

function isAllocator(exports: Record<string, unknown>): exports is Record<string, unknown> & WasmAllocator {
  return exports.memory instanceof wasmGlobal.Memory && typeof exports.__wbindgen_malloc === "function" && typeof exports.__wbindgen_free === "function"
}

// Every member replaced (Automerge copies the API member by member), so none still points into the old instance.
function lockedApi(): Api {
  const fail = () => {
    throw new LockedError()
  }
  return Object.fromEntries([...new Set([...API_MEMBERS, ...apiNames])].map((name) => [name, fail])) as unknown as Api
}

renewAutomerge()
