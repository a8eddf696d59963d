import type { SecretKeeper } from "../../../src/account/index.js"
import { LanvaultError } from "../../../src/errors.js"

/** An in-memory keychain for unit tests (the real one is tested end to end with gnome-keyring). */
export class MemoryKeeper implements SecretKeeper {
  readonly items = new Map<string, Uint8Array>()
  locked = false

  async set(name: string, secret: Uint8Array): Promise<void> {
    this.check()
    this.items.set(name, secret.slice())
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    this.check()
    return this.items.get(name)?.slice()
  }

  async delete(name: string): Promise<boolean> {
    this.check()
    return this.items.delete(name)
  }

  private check(): void {
    if (this.locked) throw new LanvaultError("KEYCHAIN_UNAVAILABLE", "cannot read the system keychain (locked)")
  }
}
