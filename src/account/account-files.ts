import { randomBytes } from "node:crypto"
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs"
import { dirname } from "node:path"
import { formatAccountKey, parseAccountKey } from "../crypto/index.js"
import { LanvaultError } from "../errors.js"
import { homePaths } from "./home.js"

/** Creates the home directory (0700) if needed. */
export function ensureHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 })
}

/**
 * Writes a file atomically (temp file, fsync, rename) with mode 0600. The temp
 * name is random and created exclusively, so nobody can plant it beforehand.
 */
export function writeSecretFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const temp = `${path}.tmp-${randomBytes(8).toString("hex")}`
  const fd = openSync(temp, "wx", 0o600)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    rmSync(temp, { force: true })
    throw error
  }
  closeSync(fd)
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

/** Writes the account key a keyset about to be stored needs, beside the current one (see settleAccountKeyFile). */
export function writeNextAccountKey(home: string, key: Uint8Array): void {
  writeSecretFile(homePaths(home).accountKeyNext, `${formatAccountKey(key)}\n`)
}

/**
 * Finishes or drops a next account key (crash safety of a re-key): moved over
 * account.key if `belongs` says the stored keyset needs it, removed otherwise.
 * Returns whether account.key changed.
 */
export function settleAccountKeyFile(home: string, belongs: (key: Uint8Array) => boolean): boolean {
  const paths = homePaths(home)
  let next: Uint8Array
  try {
    next = parseAccountKey(readFileSync(paths.accountKeyNext, "utf8"))
  } catch {
    rmSync(paths.accountKeyNext, { force: true })
    return false
  }
  if (!belongs(next)) {
    rmSync(paths.accountKeyNext, { force: true })
    return false
  }
  renameSync(paths.accountKeyNext, paths.accountKey)
  return true
}

export function removeAccountKey(home: string): void {
  rmSync(homePaths(home).accountKey, { force: true })
}
