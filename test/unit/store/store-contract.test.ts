import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"
import { MemoryStore } from "../../../src/store/memory-store.js"
import { SqliteStore } from "../../../src/store/sqlite-store.js"
import { runStoreContractTests } from "./store-contract.js"

const dir = mkdtempSync(join(tmpdir(), "lanvault-store-contract-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

runStoreContractTests("MemoryStore", () => new MemoryStore())
runStoreContractTests("SqliteStore", () => SqliteStore.open(join(dir, `vault-${++files}.db`)))
