import { closeSync, openSync, readSync } from "node:fs"
import { endianness } from "node:os"

/**
 * How much of the write-ahead log is waiting to be checkpointed, read from
 * SQLite's wal-index (the `-shm` file beside the database) without touching the
 * database: a checkpoint scheduler can ask after every commit (one pread).
 * Layout: https://www.sqlite.org/walformat.html §2.1 (two copies of the 48-byte
 * WalIndexHdr, then WalCkptInfo; every integer in the host's byte order).
 */

/** The frames of the WAL and how many of them the last checkpoints copied into the database. */
export interface WalFrames {
  /** Valid frames in the WAL (mxFrame): its length in pages since it last restarted from its start. */
  frames: number
  /** Frames not yet copied into the database (mxFrame − nBackfill). */
  pending: number
}

/** WalIndexHdr.iVersion of every SQLite 3.7.0 and later. */
const WAL_INDEX_VERSION = 3_007_000
const HEADER_BYTES = 48
const MAX_FRAME_OFFSET = 16
const IS_INIT_OFFSET = 12
/** WalCkptInfo.nBackfill: just after the two header copies. */
const BACKFILL_OFFSET = 2 * HEADER_BYTES
const READ_BYTES = BACKFILL_OFFSET + 4

/**
 * Decodes the start of a wal-index. Undefined when it is not one SQLite could use
 * (not initialised, another version) or caught mid-update (its two header copies
 * differ: SQLite writes one, then the other), so a caller reads again later.
 */
export function decodeWalIndex(bytes: Uint8Array, littleEndian = endianness() === "LE"): WalFrames | undefined {
  if (bytes.length < READ_BYTES) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getUint32(0, littleEndian) !== WAL_INDEX_VERSION || view.getUint8(IS_INIT_OFFSET) !== 1) return undefined
  for (let i = 0; i < HEADER_BYTES; i++) if (bytes[i] !== bytes[HEADER_BYTES + i]) return undefined
  const frames = view.getUint32(MAX_FRAME_OFFSET, littleEndian)
  const backfilled = view.getUint32(BACKFILL_OFFSET, littleEndian)
  return { frames, pending: Math.max(0, frames - backfilled) }
}

/** The `-shm` file of an open WAL database, read on demand; {@link close} when the database closes. */
export class WalIndexFile {
  private readonly buffer = Buffer.alloc(READ_BYTES)

  private constructor(private fd: number | undefined) {}

  /** Opens `${databasePath}-shm` read-only (it exists while a connection has the database open in WAL mode). */
  static open(databasePath: string): WalIndexFile {
    return new WalIndexFile(openSync(`${databasePath}-shm`, "r"))
  }

  /** The WAL's frames now, or undefined if the index cannot be read this moment (see decodeWalIndex). */
  read(): WalFrames | undefined {
    if (this.fd === undefined) return undefined
    try {
      return readSync(this.fd, this.buffer, 0, READ_BYTES, 0) === READ_BYTES ? decodeWalIndex(this.buffer) : undefined
    } catch {
      return undefined // an I/O error here decides nothing: the commit that asked is durable already
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }
}
