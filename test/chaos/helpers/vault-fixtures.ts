/**
 * Fixtures the loopback chaos files share: vaults made fresh (and destroyed
 * after the file), restarts after a kill, and Chrome password exports of many
 * records for imports.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll } from "vitest"
import { LoopbackVault, PASSWORD } from "./loopback-vault.js"

/** Vaults made by this file; `destroyVaultsAfterAll()` removes them. */
const made: LoopbackVault[] = []

/** Registers removal of every vault this file makes, after all its tests. */
export function destroyVaultsAfterAll(): void {
  afterAll(async () => {
    for (const vault of made.splice(0)) await vault.destroy()
  }, 60_000)
}

/** A vault to be removed after the file (see {@link destroyVaultsAfterAll}), not yet initialised. */
export async function newVault(name: string): Promise<LoopbackVault> {
  const vault = await LoopbackVault.create(name)
  made.push(vault)
  return vault
}

/** A new account, its daemon started and unlocked. */
export async function freshVault(name: string): Promise<LoopbackVault> {
  const vault = await newVault(name)
  await vault.init()
  await vault.start()
  await vault.unlock()
  return vault
}

/** Restarts after a kill and unlocks; throws (with the daemon's output) when it cannot open its database. */
export async function restart(vault: LoopbackVault, password = PASSWORD): Promise<void> {
  await vault.start()
  await vault.unlock(password)
}

/** The password of row `index` in {@link writeChromeCsv}'s file. */
export function csvPasswordOf(tag: string, index: number): string {
  return `${tag}-pw-${index}-S3cr3t!`
}

/** A Chrome password export of `rows` logins titled `<tag> site <n>`, user `user<n>@example.com`. */
export function writeChromeCsv(dir: string, tag: string, rows: number): string {
  const lines = ["name,url,username,password,note"]
  for (let i = 0; i < rows; i++) lines.push(`${tag} site ${i},https://site${i}.${tag}.example/login,user${i}@example.com,${csvPasswordOf(tag, i)},note ${i}`)
  const path = join(dir, `${tag}.csv`)
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 })
  return path
}
