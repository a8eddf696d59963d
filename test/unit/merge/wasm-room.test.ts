import { afterEach, describe, expect, it } from "vitest"
import * as Automerge from "../../../src/merge/automerge.js"
import { isAutomergeReleased, keepWasmRoom, releaseAutomerge, renewAutomerge, wasmMemoryBytes } from "../../../src/merge/automerge.js"
import { MIN_ROOM_BYTES, WasmRoom, type WasmAllocator } from "../../../src/merge/wasm-room.js"

const PAGE = 64 * 1024

/** A wasm allocator that grows its memory by pages as a bump allocator would, freeing nothing. */
class FakeWasm implements WasmAllocator {
  top = 0
  memory = { buffer: new ArrayBuffer(0) }
  mallocs: number[] = []

  constructor(public size = PAGE) {
    this.resize()
  }

  __wbindgen_malloc(size: number): number {
    this.mallocs.push(size)
    return this.use(size)
  }

  __wbindgen_free(): void {
    this.top = 0 // the room goes back: the next uses come out of it
  }

  use(bytes: number): number {
    const at = this.top
    this.top += bytes
    if (this.top > this.size) {
      this.size = Math.ceil(this.top / PAGE) * PAGE
      this.resize()
    }
    return at
  }

  private resize(): void {
    // A real grow replaces the buffer too.
    this.memory = { buffer: { byteLength: this.size } as ArrayBuffer }
  }
}

describe("WasmRoom: the memory grows by large steps, not a page at a time", () => {
  it("adds room at once, then again only after the memory grew, by a quarter of it or 16 MiB", () => {
    const wasm = new FakeWasm()
    const room = new WasmRoom(wasm)
    room.keep()
    expect(wasm.mallocs).toEqual([MIN_ROOM_BYTES])
    room.keep()
    expect(wasm.mallocs).toHaveLength(1) // not grown since: nothing to do
    wasm.use(MIN_ROOM_BYTES + PAGE) // past the room: the memory grew
    room.keep()
    expect(wasm.mallocs).toHaveLength(2)
    wasm.size = 400 * 1024 * 1024
    wasm.use(wasm.size + PAGE)
    const grown = room.bytes
    room.keep()
    expect(wasm.mallocs.at(-1)).toBe(Math.floor(grown * 0.25))
  })

  it("stops trying once the allocator fails (out of wasm memory), without throwing", () => {
    const wasm = new FakeWasm()
    wasm.__wbindgen_malloc = () => {
      throw new Error("unreachable")
    }
    const room = new WasmRoom(wasm)
    expect(() => room.keep()).not.toThrow()
    wasm.use(2 * PAGE)
    expect(() => room.keep()).not.toThrow()
  })
})

describe("the Automerge instance keeps room (each growth of its memory costs V8 a full collection)", () => {
  afterEach(() => {
    if (isAutomergeReleased()) renewAutomerge()
  })

  it("grows its memory by steps of megabytes while documents grow, and forgets it at release", () => {
    renewAutomerge()
    let doc = Automerge.init<Record<string, Uint8Array>>()
    const sizes = [wasmMemoryBytes()]
    expect(sizes[0]).toBeGreaterThanOrEqual(MIN_ROOM_BYTES)
    for (let i = 0; i < 250; i++) {
      doc = Automerge.change(doc, (root) => {
        root[`k${i}`] = new Uint8Array(100_000).fill(i % 251)
      })
      keepWasmRoom()
      if (wasmMemoryBytes() !== sizes.at(-1)) sizes.push(wasmMemoryBytes())
    }
    expect(sizes.length).toBeGreaterThan(1) // 25 MB of values: it had to grow
    const steps = sizes.slice(1).map((size, i) => size - sizes[i])
    // Each step is the room asked for less what the allocator still had free: megabytes, never a 64 KiB page.
    for (const step of steps) expect(step).toBeGreaterThanOrEqual(MIN_ROOM_BYTES / 2)
    releaseAutomerge()
    expect(wasmMemoryBytes()).toBe(0)
  })
})
