import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, fsyncSync, openSync, closeSync } from "node:fs"
import { dirname } from "node:path"
import { formatAccountKey, parseAccountKey } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { homePaths } from "./home.js"

/** Creates the home directory (0700) if needed. */
export function ensureHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 })
}

/** Writes a file atomically (temp file, fsync, rename) with mode 0600. */
export function writeSecretFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const temp = `${path}.tmp-${process.pid}`
  writeFileSync(temp, text, { mode: 0o600 })
  const fd = openSync(temp, "r")
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  chmodSync(temp, 0o600)
  renameSync(temp, path)
}

/** The account key kept on this device (file mode 0600). */
export function readAccountKey(home: string): Uint8Array {
  let text: string
  try {
    text = readFileSync(homePaths(home).accountKey, "utf8")
  } catch (cause) {
    throw new LanvaultError("NO_ACCOUNT", `this device has no account key (${homePaths(home).accountKey}): run \`lanvault init\` or \`lanvault join\``, { cause })
  }
  return parseAccountKey(text)
}

export function writeAccountKey(home: string, key: Uint8Array): void {
  writeSecretFile(homePaths(home).accountKey, `${formatAccountKey(key)}\n`)
}

export function removeAccountKey(home: string): void {
  rmSync(homePaths(home).accountKey, { force: true })
}
