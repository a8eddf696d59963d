import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { formatAccountKey, parseAccountKey, toBase64, toHex } from "../../src/crypto/index.js"
import { Device, PASSWORD } from "./helpers/devices.js"
import { readIdentity } from "./helpers/rogue-peer.js"

const NEW_PASSWORD = "a completely new password"

/** Every way a key may sit in a file: raw, hex (both cases), base64, and the account-key text form. */
function forms(key: Uint8Array, accountKey: boolean): Buffer[] {
  const hex = toHex(key)
  const list = [Buffer.from(key), Buffer.from(hex), Buffer.from(hex.toUpperCase()), Buffer.from(toBase64(key)), Buffer.from(Buffer.from(key).toString("base64url"))]
  if (accountKey) list.push(Buffer.from(formatAccountKey(key)), Buffer.from(formatAccountKey(key).replace(/-/g, "")))
  return list
}

/**
 * Issue 17 item 5 and DESIGN §13: `vault.db` never holds the account key or a
 * device secret in the clear, so a stolen `vault.db` (or a backup) is useless
 * without account.key and device.key. Checked after init, passwd, revoke and reset,
 * in vault.db, its WAL and every backup.
 */
describe("no account key or device secret at rest in vault.db, its WAL or backups", () => {
  it("after init, passwd, revoke and reset, in text, hex and base64", async () => {
    const a = await Device.create("alpha")
    await a.init()
    const client = await a.start()
    await a.unlock()
    const b = await Device.create("beta")
    await b.joinThrough(a)
    const accountKeys = [parseAccountKey(a.accountKey)]
    const backups: string[] = []
    const files = () => [join(a.home, "vault.db"), join(a.home, "vault.db-wal"), ...backups].filter((f) => existsSync(f))
    const check = (step: string) => {
      const identity = readIdentity(a.home)
      const secrets = [...accountKeys.flatMap((k) => forms(k, true)), ...forms(identity.signSecret, false), ...forms(identity.dhSecret, false)]
      for (const file of files()) {
        const bytes = readFileSync(file)
        const found = secrets.findIndex((secret) => bytes.includes(secret))
        expect(found, `after ${step}: secret form #${found} found in ${file}`).toBe(-1)
      }
    }
    check("init")
    backups.push((await client.call("backup.create", {})).path)
    await client.call("account.changePassword", { old: PASSWORD, new: NEW_PASSWORD })
    check("passwd")
    const beta = (await client.call("devices.list", {})).find((d) => d.name === "beta")!
    const { accountKey } = await client.call("devices.revoke", { deviceId: beta.deviceId })
    accountKeys.push(parseAccountKey(accountKey))
    backups.push((await client.call("backup.create", {})).path)
    check("revoke")
    const reset = await client.call("account.reset", { password: NEW_PASSWORD })
    accountKeys.push(parseAccountKey(reset.accountKey))
    await a.unlock(NEW_PASSWORD)
    backups.push((await client.call("backup.create", {})).path)
    check("reset")
  }, 120_000)
})
