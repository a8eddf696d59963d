import { existsSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { WebSocketServer } from "ws"
import { homePaths, wrapKeyset } from "../../src/account/index.js"
import { PAIR_PATH } from "../../src/connections/peer-address.js"
import { formatAccountKey, generateAccountKey, generateDeviceKeys, randomBytes, toBase64, toHex } from "../../src/crypto/index.js"
import { PairingLink } from "../../src/pairing/pairing-link.js"
import { decodeJoinRequest, decodeStep, encodeStep, encodeWelcome, type JoinRequest } from "../../src/pairing/pairing-messages.js"
import { runHandshake, WsFrameSocket } from "../../src/transport/index.js"
import { runCli, tempHome } from "./helpers/cli.js"

/** How the rogue host behaves once the handshake is done. */
type Behaviour = "welcome at once" | "keyset with a huge KDF cost"

/**
 * A pairing host built from the project's own parts (Noise XXpsk3 responder,
 * pairing messages) that holds the account key but misbehaves: `lanvault join`
 * must store nothing from it (issue 17 items 7 and 9).
 */
async function rogueHost(accountKey: Uint8Array, behaviour: Behaviour): Promise<{ port: number; close: () => void }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: PAIR_PATH })
  await new Promise<void>((resolve) => server.once("listening", () => resolve()))
  server.on("connection", (ws) => void serve(new WsFrameSocket(ws, "127.0.0.1", 0), accountKey, behaviour).catch((error) => console.error("rogue host", error)))
  const address = server.address()
  return { port: typeof address === "object" && address !== null ? address.port : 0, close: () => server.close() }
}

async function serve(socket: WsFrameSocket, accountKey: Uint8Array, behaviour: Behaviour): Promise<void> {
  let request: JoinRequest | undefined
  const result = await runHandshake(socket, {
    role: "responder", mode: "pair", staticSecret: randomBytes(32), accountKey,
    accept: (_key, payload) => {
      request = decodeJoinRequest(payload)
      return "accept"
    },
  })
  const link = new PairingLink(result.channel)
  if (behaviour === "keyset with a huge KDF cost") {
    link.send(encodeStep({ type: "nonce", nonce: randomBytes(32), hostName: "rogue" }))
    await link.next(5_000, "the reveal")
  }
  const accountId = randomBytes(16)
  const kdf = { alg: "scrypt" as const, N: behaviour === "keyset with a huge KDF cost" ? 2 ** 30 : 2 ** 17, r: 8, p: 1, salt: toBase64(randomBytes(16)) }
  const keyset = wrapKeyset({ currentEpoch: 1, keys: new Map([[1, randomBytes(32)]]) }, randomBytes(32), accountId, 1, kdf)
  const keys = generateDeviceKeys()
  const self = toHex(randomBytes(16))
  link.send(encodeWelcome({
    accountId: toHex(accountId), generation: 1, bucketCount: 64, keysetVersion: 1, keyset,
    trust: [
      { deviceId: self, name: "rogue", signPublic: keys.signPublic, dhPublic: keys.dhPublic, addedAt: Date.now() },
      { deviceId: request!.deviceId, name: request!.name, signPublic: request!.signPublic, dhPublic: randomBytes(32), addedAt: Date.now() },
    ],
    host: { deviceId: self, name: "rogue" },
  }))
}

describe("lanvault join against a host that skips the code check or sends a costly keyset", () => {
  for (const [behaviour, says] of [
    ["welcome at once", /older lanvault/],
    ["keyset with a huge KDF cost", /KDF parameters out of bounds/],
  ] as const) {
    it(`${behaviour}: join fails, saying why, and stores nothing`, async () => {
      const accountKey = generateAccountKey()
      const host = await rogueHost(accountKey, behaviour)
      const { home, cleanup } = tempHome("lanvault-rogue-host-")
      try {
        const joined = await runCli(["join", "--peer", `127.0.0.1:${host.port}`, "--account-key-stdin", "--name", "victim"], {
          home, input: `${formatAccountKey(accountKey)}\n`, timeoutMs: 30_000,
        })
        expect(joined.code).toBe(1)
        expect(joined.stderr).toMatch(says)
        expect(existsSync(homePaths(home).accountKey)).toBe(false)
        expect(existsSync(homePaths(home).database)).toBe(false)
      } finally {
        host.close()
        cleanup()
      }
    }, 60_000)
  }
})
