import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { QuickUnlock } from "../../../src/account/index.js"
import { randomBytes, toBase64 } from "../../../src/crypto/index.js"
import { LanvaultError } from "../../../src/errors.js"
import { silentLogger } from "../../../src/log.js"
import { MemoryKeeper } from "../helpers/memory-keeper.js"

const DAY = 86_400_000
const BINDING = { accountId: "ab".repeat(16), deviceId: "cd".repeat(16), salt: "c2FsdC1vbmU=" }
const homes: string[] = []
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true })
})

function setup() {
  const home = mkdtempSync(join(tmpdir(), "lv-quick-"))
  homes.push(home)
  const keeper = new MemoryKeeper()
  const clock = { now: Date.UTC(2026, 11, 4) }
  const quick = new QuickUnlock({ home, keeper, logger: silentLogger(), now: () => clock.now })
  return { home, keeper, clock, quick }
}

async function reasonOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work
  } catch (error) {
    const failed = error as LanvaultError
    return failed.code === "QUICK_UNLOCK_UNAVAILABLE" ? String(failed.data?.reason) : failed.code
  }
  return undefined
}

describe("quick unlock", () => {
  it("gives back the remembered password key; the home file holds only its wrapped copy, the keychain only a random secret", async () => {
    const { home, keeper, quick } = setup()
    const passwordKey = randomBytes(32)
    expect(await quick.remember(passwordKey, BINDING)).toEqual({ usesLeft: 50, expiresAt: Date.UTC(2026, 11, 4) + 14 * DAY })
    const file = readFileSync(join(home, "quick-unlock.json"), "utf8")
    expect(statSync(join(home, "quick-unlock.json")).mode & 0o777).toBe(0o600)
    expect(file).not.toContain(toBase64(passwordKey))
    const [secret] = [...keeper.items.values()]
    expect(secret).toHaveLength(32)
    expect(Buffer.from(secret).equals(Buffer.from(passwordKey))).toBe(false)
    const recalled = await quick.recall(BINDING)
    expect(recalled.passwordKey).toEqual(passwordKey)
    expect(recalled.state.usesLeft).toBe(49)
  })

  it("without the keychain's secret the file opens nothing, and it is forgotten", async () => {
    const { keeper, quick } = setup()
    await quick.remember(randomBytes(32), BINDING)
    keeper.items.clear()
    expect(await reasonOf(quick.recall(BINDING))).toBe("missing")
    expect(quick.state()).toBeUndefined()
  })

  it("a locked keychain is KEYCHAIN_UNAVAILABLE and keeps the quick unlock for later", async () => {
    const { keeper, quick } = setup()
    await quick.remember(randomBytes(32), BINDING)
    keeper.locked = true
    expect(await reasonOf(quick.recall(BINDING))).toBe("KEYCHAIN_UNAVAILABLE")
    keeper.locked = false
    expect((await quick.recall(BINDING)).state.usesLeft).toBe(49)
  })

  it("allows exactly N unlocks, then forgets; expires after D days; a changed password or another account forgets it", async () => {
    const { clock, keeper, quick } = setup()
    await quick.remember(randomBytes(32), BINDING, { uses: 2, days: 1 })
    await quick.recall(BINDING)
    expect((await quick.recall(BINDING)).state.usesLeft).toBe(0)
    expect(await reasonOf(quick.recall(BINDING))).toBe("stale")
    expect(keeper.items.size).toBe(0)

    await quick.remember(randomBytes(32), BINDING, { days: 1 })
    clock.now += DAY
    expect(await reasonOf(quick.recall(BINDING))).toBe("stale")

    await quick.remember(randomBytes(32), BINDING)
    expect(await reasonOf(quick.recall({ ...BINDING, salt: "c2FsdC10d28=" }))).toBe("stale")
    expect(await reasonOf(quick.recall(BINDING))).toBe("none")

    await quick.remember(randomBytes(32), BINDING)
    expect(await reasonOf(quick.recall({ ...BINDING, accountId: "ef".repeat(16) }))).toBe("stale")
    expect(keeper.items.size).toBe(0)
  })

  it("refuses limits out of range and forgets on request (keychain item and file)", async () => {
    const { keeper, quick } = setup()
    expect(await reasonOf(quick.remember(randomBytes(32), BINDING, { uses: 0 }))).toBe("INVALID_PARAMS")
    expect(await reasonOf(quick.remember(randomBytes(32), BINDING, { days: 91 }))).toBe("INVALID_PARAMS")
    await quick.remember(randomBytes(32), BINDING)
    expect(await quick.forget()).toBe(true)
    expect(keeper.items.size).toBe(0)
    expect(await quick.forget()).toBe(false)
  })
})
