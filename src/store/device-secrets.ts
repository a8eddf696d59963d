import { randomBytes as nodeRandomBytes } from "node:crypto"
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, writeSync } from "node:fs"
import { dirname, join } from "node:path"
import { concatBytes, open, seal, utf8 } from "../crypto/index.js"
import { CorruptDataError } from "../errors.js"

/** File beside vault.db holding the key that wraps this device's secret keys inside it. */
export const DEVICE_KEY_FILE = "device.key"
const DEVICE_KEY_BYTES = 32
const RAW_SECRET_BYTES = 32
const SECRET_AD = "lanvault device secret v1"

/**
 * This device's secret keys are stored in vault.db sealed (XChaCha20-Poly1305)
 * under a random key kept in `device.key` (0600) beside it, so a copy of
 * vault.db alone holds no device secret. A locked daemon opens them to do what
 * locked devices must: the X25519 key to keep Noise links (store and forward),
 * the Ed25519 key, used only while unlocked, to sign its own entries.
 */
export class DeviceSecrets {
  private key: Uint8Array | undefined

  constructor(private readonly databasePath: string) {}

  /** Seals one secret key (`label` "sign" or "dh") for `deviceId`. */
  seal(deviceId: string, label: string, secret: Uint8Array): Uint8Array {
    return seal(this.deviceKey(true)!, secret, this.ad(deviceId, label))
  }

  /** Opens a sealed secret; a 32-byte value is a legacy one stored in the clear (returned as is). */
  open(deviceId: string, label: string, stored: Uint8Array): Uint8Array {
    if (stored.length === RAW_SECRET_BYTES) return stored
    const key = this.deviceKey(false)
    if (key === undefined) throw new CorruptDataError(`${this.path()} is missing: this device's keys in vault.db cannot be opened`)
    try {
      return open(key, stored, this.ad(deviceId, label))
    } catch (cause) {
      throw new CorruptDataError(`${this.path()} does not open this device's keys in vault.db`, { cause })
    }
  }

  /** Whether a stored value is a legacy secret in the clear. */
  static isLegacy(stored: Uint8Array): boolean {
    return stored.length === RAW_SECRET_BYTES
  }

  private ad(deviceId: string, label: string): Uint8Array {
    return concatBytes(utf8(SECRET_AD), utf8(deviceId), utf8(label))
  }

  private path(): string {
    return join(dirname(this.databasePath), DEVICE_KEY_FILE)
  }

  private deviceKey(create: boolean): Uint8Array | undefined {
    if (this.key !== undefined) return this.key
    try {
      const bytes = new Uint8Array(readFileSync(this.path()))
      if (bytes.length !== DEVICE_KEY_BYTES) throw new CorruptDataError(`${this.path()} is not a device key`)
      this.key = bytes
      return bytes
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !create) {
        if (error instanceof CorruptDataError) throw error
        return undefined
      }
    }
    this.key = createKeyFile(this.path())
    return this.key
  }
}

/** Writes a new random key file exclusively (temp file, fsync, hard link: never over an existing key). */
function createKeyFile(path: string): Uint8Array {
  const key = new Uint8Array(nodeRandomBytes(DEVICE_KEY_BYTES))
  const temp = `${path}.tmp-${nodeRandomBytes(8).toString("hex")}`
  const fd = openSync(temp, "wx", 0o600)
  try {
    writeSync(fd, key)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    linkSync(temp, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    // Another process made one first: use theirs.
    rmSync(temp, { force: true })
    return new Uint8Array(readFileSync(path))
  }
  rmSync(temp, { force: true })
  return key
}
