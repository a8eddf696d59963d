/**
 * Free room in the Automerge wasm instance's memory, so that it grows seldom and
 * by large steps. Each time a WebAssembly memory grows, V8 gives it a new
 * ArrayBuffer and counts the whole memory again as external memory until the old
 * buffer is collected; 64 MiB past what it counted at the last full collection,
 * that starts a full collection of the JS heap (`--trace-incremental-marking`:
 * "Start (external memory pressure)"). The instance's allocator grows the memory
 * 64 KiB at a time, so an unlocked 10k vault ran a full collection every 50–250
 * edits as its documents grew, and many while its buckets loaded, each marking
 * every loaded bucket's objects, on the GC helper thread and in pauses of the
 * thread that answers. A block allocated and freed at once stays
 * with the allocator as free room (wasm memory never shrinks); its pages are not
 * written, so they cost no RSS until used. The memory then grows only once that
 * room is used up, by a share of its size.
 */

/** The instance's exports this needs (wasm-bindgen's allocator and the memory). */
export interface WasmAllocator {
  readonly memory: { readonly buffer: ArrayBuffer }
  __wbindgen_malloc(size: number, align: number): number
  __wbindgen_free(pointer: number, size: number, align: number): void
}

/** Room added at least: a 10k vault's documents grow by less in thousands of edits. */
export const MIN_ROOM_BYTES = 16 * 1024 * 1024
/** ...or this share of the memory, if more: a vault that needs more memory needs it by the same share, so it grows a few times in all. */
const ROOM_SHARE = 0.25

export class WasmRoom {
  /** The memory's size when room was last added (0: never). */
  private sizeSeen = 0
  private failed = false

  constructor(private readonly wasm: WasmAllocator) {}

  /** The memory's size now, in bytes. */
  get bytes(): number {
    return this.wasm.memory.buffer.byteLength
  }

  /** After work that may have grown the memory: if it grew since the last call, adds room (first call: adds it). */
  keep(): void {
    const size = this.bytes
    if (size === this.sizeSeen || this.failed) return
    const room = Math.max(MIN_ROOM_BYTES, Math.floor(size * ROOM_SHARE))
    try {
      const pointer = this.wasm.__wbindgen_malloc(room, 1)
      this.wasm.__wbindgen_free(pointer, room, 1)
    } catch {
      // Out of wasm memory (4 GiB): the memory simply grows as it needs to; no further tries.
      this.failed = true
    }
    this.sizeSeen = this.bytes
  }
}
