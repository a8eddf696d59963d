import fc from "fast-check"
import { hostname, userInfo } from "node:os"
import { describe, expect, it } from "vitest"
import { randomBytes, toHex, utf8 } from "../../../src/crypto/bytes.js"
import { hkdf, hmacSha256 } from "../../../src/crypto/hkdf.js"
import {
  ADVERT_NONCE_BYTES,
  ADVERT_TAG_BYTES,
  decodeAdvertTxt,
  discoveryKeys,
  encodeAdvertTxt,
  matchAdvert,
  type AdvertTxt,
} from "../../../src/discovery/txt-record.js"

const accountId = randomBytes(16)
const accountKey = randomBytes(16)
const keys = discoveryKeys(accountId, accountKey)
const other = discoveryKeys(randomBytes(16), randomBytes(16))

/** TXT as it arrives over mDNS: one `key=value` byte string per entry. */
function wire(txt: Readonly<Record<string, string>>): Uint8Array[] {
  return Object.entries(txt).map(([key, value]) => utf8(`${key}=${value}`))
}

describe("discoveryKeys", () => {
  it("derives aKey from the account id and kKey from the account key with HKDF (DESIGN §7)", () => {
    expect(keys.aKey).toEqual(hkdf(accountId, "lanvault mdns account v1"))
    expect(keys.kKey).toEqual(hkdf(accountKey, "lanvault mdns pairing v1"))
    expect(discoveryKeys(accountId).kKey).toBeUndefined()
  })

  it("refuses an account id or account key of the wrong length", () => {
    expect(() => discoveryKeys(randomBytes(15))).toThrow(TypeError)
    expect(() => discoveryKeys(accountId, randomBytes(32))).toThrow(TypeError)
  })
})

describe("encodeAdvertTxt", () => {
  it("writes v=1, a 12-byte nonce and two 16-byte HMAC tags, all base64url", () => {
    const nonce = randomBytes(ADVERT_NONCE_BYTES)
    const txt = encodeAdvertTxt(keys, nonce)
    expect(Object.keys(txt).sort()).toEqual(["a", "k", "n", "v"])
    expect(txt.v).toBe("1")
    expect(txt.n).toBe(Buffer.from(nonce).toString("base64url"))
    expect(txt.a).toBe(Buffer.from(hmacSha256(keys.aKey!, nonce).subarray(0, ADVERT_TAG_BYTES)).toString("base64url"))
    expect(txt.k).toBe(Buffer.from(hmacSha256(keys.kKey!, nonce).subarray(0, ADVERT_TAG_BYTES)).toString("base64url"))
    expect(txt.n).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect(txt.a).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it("uses a fresh nonce each time, so two adverts of one device cannot be linked by their tags", () => {
    const first = encodeAdvertTxt(keys)
    const second = encodeAdvertTxt(keys)
    expect(first.n).not.toBe(second.n)
    expect(first.a).not.toBe(second.a)
    expect(first.k).not.toBe(second.k)
  })

  it("fills the tag of a missing key with random bytes of the same shape", () => {
    const txt = encodeAdvertTxt({ aKey: keys.aKey })
    expect(txt.k).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(matchAdvert(wire(txt), keys)).toBe("account")
  })

  it("carries no account id, account key, host name or user name, in any encoding", () => {
    const bytes = Buffer.concat(wire(encodeAdvertTxt(keys)))
    const secrets = [accountId, accountKey, keys.aKey!, keys.kKey!].flatMap((s) => [
      Buffer.from(s),
      Buffer.from(toHex(s)),
      Buffer.from(Buffer.from(s).toString("base64")),
      Buffer.from(Buffer.from(s).toString("base64url")),
    ])
    for (const secret of secrets) expect(bytes.includes(secret)).toBe(false)
    const text = bytes.toString("latin1").toLowerCase()
    if (hostname().length >= 4) expect(text).not.toContain(hostname().toLowerCase())
    if (userInfo().username.length >= 4) expect(text).not.toContain(userInfo().username.toLowerCase())
  })
})

describe("matchAdvert", () => {
  it("says account, pairing or both for our own tags, as bytes or as a key-value object", () => {
    const txt = encodeAdvertTxt(keys)
    expect(matchAdvert(wire(txt), keys)).toBe("both")
    expect(matchAdvert(txt, keys)).toBe("both")
    expect(matchAdvert(wire(txt), { aKey: keys.aKey })).toBe("account")
    expect(matchAdvert(wire(txt), { kKey: keys.kKey })).toBe("pairing")
    expect(matchAdvert(wire(txt), {})).toBeUndefined()
  })

  it("never matches the tags of another account", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (id, ak) => {
        const theirs = discoveryKeys(id, ak)
        expect(matchAdvert(wire(encodeAdvertTxt(theirs)), keys)).toBeUndefined()
      }),
      { numRuns: 200 },
    )
    expect(matchAdvert(wire(encodeAdvertTxt(other)), keys)).toBeUndefined()
  })

  it("does not match a tag replayed under another nonce", () => {
    const txt = encodeAdvertTxt(keys)
    const replayed = { ...txt, n: encodeAdvertTxt(keys).n }
    expect(matchAdvert(wire(replayed), keys)).toBeUndefined()
  })

  it("reads keys case-insensitively and keeps the first of duplicate keys (RFC 6763 §6.4)", () => {
    const txt = encodeAdvertTxt(keys)
    expect(matchAdvert([utf8("V=1"), utf8(`N=${txt.n}`), utf8(`A=${txt.a}`), utf8(`K=${txt.k}`)], keys)).toBe("both")
    const forged = encodeAdvertTxt(other)
    expect(matchAdvert([...wire(txt), utf8(`a=${forged.a}`)], keys)).toBe("both")
    expect(matchAdvert([utf8(`a=${forged.a}`), ...wire(txt)], keys)).toBe("pairing")
  })

  it("ignores unknown keys and boolean attributes (a later version may add some)", () => {
    const txt = encodeAdvertTxt(keys)
    expect(matchAdvert([utf8("flag"), ...wire(txt), utf8("x=whatever")], keys)).toBe("both")
  })

  const good = (): AdvertTxt => encodeAdvertTxt(keys)
  it.each<[string, (t: AdvertTxt) => unknown]>([
    ["a missing v", ({ n, a, k }) => ({ n, a, k })],
    ["another version", (t) => ({ ...t, v: "2" })],
    ["a missing nonce", ({ v, a, k }) => ({ v, a, k })],
    ["a missing a=", ({ v, n, k }) => ({ v, n, k })],
    ["a missing k=", ({ v, n, a }) => ({ v, n, a })],
    ["a short nonce", (t) => ({ ...t, n: t.n.slice(0, 12) })],
    ["a long tag", (t) => ({ ...t, a: t.a + "AAAA" })],
    ["a tag with padding", (t) => ({ ...t, a: `${t.a.slice(0, 20)}==` })],
    ["standard base64 characters", (t) => ({ ...t, a: `+/${t.a.slice(2)}` })],
    ["a non-canonical last character", (t) => ({ ...t, a: t.a.slice(0, 21) + String.fromCharCode(t.a.charCodeAt(21) ^ 1) })],
    ["a huge value", (t) => ({ ...t, a: "A".repeat(100_000) })],
    ["a value that is not a string", (t) => ({ ...t, a: 42 })],
    ["too many entries", (t) => Object.fromEntries([...Object.entries(t), ...Array.from({ length: 40 }, (_, i) => [`x${i}`, "1"])])],
    ["non-UTF-8 bytes", (t) => [utf8("v=1"), new Uint8Array([0x6e, 0x3d, 0xff, 0xfe, 0x80]), utf8(`a=${t.a}`), utf8(`k=${t.k}`)]],
    ["an entry over 255 bytes", (t) => [...wire(t), new Uint8Array(300)]],
    ["null", () => null],
    ["a string", () => "v=1"],
    ["a number", () => 7],
  ])("treats %s as not ours, without throwing", (_, mutate) => {
    expect(() => matchAdvert(mutate(good()), keys)).not.toThrow()
    expect(matchAdvert(mutate(good()), keys)).toBeUndefined()
  })

  it("accepts exactly one spelling of each value (stray low bits of the last character are refused)", () => {
    const txt = { v: "1", n: "A".repeat(16), a: "A".repeat(21) + "Q", k: "A".repeat(22) }
    expect(decodeAdvertTxt(txt)).toBeDefined()
    expect(decodeAdvertTxt({ ...txt, a: "A".repeat(21) + "B" })).toBeUndefined()
  })

  it("never throws on random TXT records, as bytes or as objects", () => {
    const entry = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ maxLength: 40 }).map((s) => utf8(s)),
      fc.constantFrom("v=1", "n=", "a=", "k=").chain((prefix) => fc.string({ maxLength: 30 }).map((s) => utf8(prefix + s))),
    )
    const anyTxt = fc.oneof(
      fc.array(entry, { maxLength: 40 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.anything())),
      fc.anything(),
    )
    fc.assert(
      fc.property(anyTxt, (txt) => {
        expect(matchAdvert(txt, keys)).toBeUndefined()
        expect(() => decodeAdvertTxt(txt)).not.toThrow()
      }),
      { numRuns: 2_000 },
    )
  })
})
