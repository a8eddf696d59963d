import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { META, readAccountContext } from "../../../src/account/index.js"
import { toHex } from "../../../src/crypto/index.js"
import { FolderManager } from "../../../src/folder/folder-manager.js"
import type { LogEntry } from "../../../src/store/index.js"
import { appendOwn, makeAccount, recordingLogger, tempDir, waitFor, type TestAccount, type TestDevice } from "./folder-fixtures.js"

describe("FolderManager", () => {
  const cleanups: Array<() => unknown> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  function folder(): string {
    const dir = tempDir("lanvault-folder-manager-")
    cleanups.push(dir.remove)
    return dir.path
  }

  function managerOf(account: TestAccount, device: TestDevice) {
    device.store.setMeta(META.accountId, toHex(account.accountId))
    const received: LogEntry[] = []
    const relayed: LogEntry[] = []
    const manager = new FolderManager({
      store: device.store, account: readAccountContext(device.store), logger: recordingLogger(),
      applier: { applyRemote: (entries) => void received.push(...entries) },
      relay: { publishLocal: (entries) => void relayed.push(...entries) },
    })
    cleanups.push(() => manager.stop())
    return { manager, received, relayed }
  }

  it("refuses a relative path (INVALID_PARAMS) and remembers nothing", async () => {
    const account = makeAccount(["a"])
    const { manager } = managerOf(account, account.devices[0])
    await expect(manager.add("relative/dir")).rejects.toMatchObject({ code: "INVALID_PARAMS" })
    expect(manager.list()).toEqual([])
    expect(account.devices[0].store.getMeta("folders")).toBeUndefined()
  })

  it("adds a folder once: listed, remembered in the store, and this device's log file appears in it", async () => {
    const account = makeAccount(["a"])
    const [a] = account.devices
    const { manager } = managerOf(account, a)
    const path = folder()
    const added = await manager.add(path)
    expect(added).toMatchObject({ path })
    expect(await manager.add(`${path}/.`)).toEqual(added)
    expect(manager.list().map((f) => f.path)).toEqual([path])
    expect(JSON.parse(a.store.getMeta("folders")!)).toEqual([{ path, addedAt: added.addedAt }])
    appendOwn(account, a, 2)
    manager.publishLocal(a.store.entriesAfter({}))
    await waitFor(() => existsSync(join(path, "lanvault")) && readdirSync(join(path, "lanvault")).length === 1, 10_000, "the account folder")
  })

  it("merges entries another device wrote to the shared folder (applier) and relays them to the peers", async () => {
    const account = makeAccount(["a", "b"])
    const [a, b] = account.devices
    const path = folder()
    const writer = managerOf(account, a)
    const reader = managerOf(account, b)
    await writer.manager.add(path)
    await reader.manager.add(path)
    const written = appendOwn(account, a, 3, "edit")
    writer.manager.publishLocal(written)
    await waitFor(() => reader.received.length === 3, 15_000, "b to read a's entries")
    expect(reader.received.map((entry) => [entry.deviceId, entry.seq])).toEqual([[a.deviceId, 1], [a.deviceId, 2], [a.deviceId, 3]])
    expect(reader.relayed).toEqual(reader.received)
  })

  it("remove forgets a folder and stops syncing it; an unknown one is NOT_FOUND", async () => {
    const account = makeAccount(["a"])
    const [a] = account.devices
    const { manager } = managerOf(account, a)
    const path = folder()
    await manager.add(path)
    expect(await manager.remove(path)).toEqual({ path })
    expect(manager.list()).toEqual([])
    expect(JSON.parse(a.store.getMeta("folders")!)).toEqual([])
    await expect(manager.remove(path)).rejects.toMatchObject({ code: "NOT_FOUND" })
  })

  it("start() runs the folders remembered by an earlier run", async () => {
    const account = makeAccount(["a"])
    const [a] = account.devices
    const path = folder()
    const first = managerOf(account, a)
    await first.manager.add(path)
    await first.manager.stop()
    const second = managerOf(account, a)
    await second.manager.start()
    expect(second.manager.list().map((f) => f.path)).toEqual([path])
  })

  it("a remembered list that is not one (a damaged meta value) counts as no folders", async () => {
    const account = makeAccount(["a"])
    const [a] = account.devices
    a.store.setMeta("folders", "{not json")
    const { manager } = managerOf(account, a)
    await manager.start()
    expect(manager.list()).toEqual([])
  })
})
