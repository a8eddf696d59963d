import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { BrowserBackend } from "../../../src/browser/ports.js"
import { BrowserProtocol } from "../../../src/browser/protocol-handler.js"

/** A backend that must never be reached by an unauthenticated message. */
function guardedBackend(): BrowserBackend & { reached: string[] } {
  const reached: string[] = []
  const note = (what: string) => () => {
    reached.push(what)
    throw new Error(`reached ${what}`)
  }
  return {
    reached,
    locked: false,
    databaseHash: () => "0".repeat(64),
    requestUnlock: note("requestUnlock"),
    lock: note("lock"),
    approvalOpen: () => true,
    associate: note("associate"),
    isAssociated: () => false,
    logins: { find: note("find"), save: note("save"), totp: note("totp") },
  }
}

const actions = fc.constantFrom("get-logins", "associate", "test-associate", "set-login", "lock-database", "get-totp", "generate-password", "get-databasehash", "x")

describe("the protocol handler fed hostile input", () => {
  it("answers every random request with an error reply and never reaches the vault", async () => {
    const backend = guardedBackend()
    const protocol = new BrowserProtocol(backend)
    const request = fc.oneof(
      fc.anything(),
      fc.record({ action: actions, message: fc.base64String(), nonce: fc.base64String(), clientID: fc.string() }, { requiredKeys: [] }),
    )
    await fc.assert(
      fc.asyncProperty(request, async (message) => {
        const reply = await protocol.handle(message)
        expect(typeof reply.errorCode).toBe("string")
        expect(reply.message).toBeUndefined()
      }),
      { numRuns: 500 },
    )
    expect(backend.reached).toEqual([])
  })
})
