/**
 * Realistic vault records from a fixed seed: mostly logins, some cards, secure
 * notes, identities and Wi-Fi passwords, with field sizes like a real vault's
 * (a 12–32 character password, a 20–80 character URL, notes of a few hundred
 * characters, now and then a few thousand). Same seed, same records.
 */
import type { FieldValue, RecordInput } from "../../src/merge/types.js"
import { SeededRandom } from "./seeded-random.js"

/** Cumulative share of each record type (logins dominate real vaults). */
const TYPE_MIX: ReadonlyArray<[type: string, upTo: number]> = [
  ["login", 0.75], ["note", 0.85], ["card", 0.92], ["identity", 0.96], ["wifi", 1],
]
const PASSWORD_CHARS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%^&*-_=+"
const BASE32_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
const DIGITS = "0123456789"
const SITES = ["mail", "bank", "shop", "forum", "cloud", "news", "work", "games", "travel", "health", "photos", "git", "stream", "tax", "school"]
const TLDS = ["com", "org", "net", "io", "de", "co.uk", "fr"]
const FIRST_NAMES = ["ann", "bob", "chen", "dara", "eli", "fatima", "goran", "hana", "ivan", "jun", "kofi", "lena"]
const LAST_NAMES = ["smith", "garcia", "nguyen", "müller", "okafor", "rossi", "tanaka", "kowalski", "silva", "haddad"]
const TAGS = ["personal", "work", "finance", "shopping", "social", "family", "travel", "dev", "old"]
const WORDS = [
  "the", "account", "recovery", "code", "backup", "security", "question", "answer", "pin", "door",
  "office", "printer", "router", "admin", "old", "new", "shared", "with", "family", "expires",
  "renew", "before", "march", "call", "support", "reference", "number", "policy", "license", "key",
]

/** Makes record `index` of the stream; call in order for a stable sequence. */
export class RecordGenerator {
  private readonly random: SeededRandom

  constructor(seed: number) {
    this.random = new SeededRandom(seed)
  }

  next(): RecordInput {
    const roll = this.random.next()
    const type = TYPE_MIX.find(([, upTo]) => roll < upTo)![0]
    const record = this.build(type)
    const tags = this.tags()
    if (tags.length > 0) record.tags = tags
    if (this.random.chance(0.05)) record.favorite = true
    return record
  }

  /** A fresh password, as an edit would set it. */
  password(): FieldValue {
    return { value: this.random.chars(PASSWORD_CHARS, this.random.int(12, 32)), kind: "secret" }
  }

  private build(type: string): RecordInput {
    switch (type) {
      case "login": return this.login()
      case "note": return this.note()
      case "card": return this.card()
      case "identity": return this.identity()
      default: return this.wifi()
    }
  }

  private login(): RecordInput {
    const r = this.random
    const site = `${r.pick(SITES)}${r.int(1, 999)}`
    const fields: Record<string, FieldValue> = {
      username: r.chance(0.7) ? { value: this.email(), kind: "email" } : { value: `${r.pick(FIRST_NAMES)}_${r.int(1, 9999)}`, kind: "text" },
      password: this.password(),
      url: { value: `https://${r.chance(0.5) ? "www." : "login."}${site}.${r.pick(TLDS)}/${r.chars("abcdefghijklmnopqrstuvwxyz/", r.int(0, 40))}`, kind: "url" },
    }
    if (r.chance(0.15)) fields.totp = { value: r.chars(BASE32_CHARS, 32), kind: "totp" }
    const record: RecordInput = { type: "login", title: `${site[0].toUpperCase()}${site.slice(1)} ${r.pick(["", "(work)", "account", "admin"])}`.trim(), fields }
    if (r.chance(0.2)) record.notes = r.prose(WORDS, r.int(30, 400))
    return record
  }

  private note(): RecordInput {
    const r = this.random
    const length = r.chance(0.1) ? r.int(2_000, 6_000) : r.int(100, 1_200)
    return { type: "note", title: `${r.pick(WORDS)} ${r.pick(WORDS)} ${r.int(1, 99)}`, notes: r.prose(WORDS, length) }
  }

  private card(): RecordInput {
    const r = this.random
    const fields: Record<string, FieldValue> = {
      cardholder: { value: this.fullName(), kind: "text" },
      number: { value: `4${r.chars(DIGITS, 15)}`, kind: "secret" },
      expiry: { value: `${String(r.int(1, 12)).padStart(2, "0")}/${r.int(26, 32)}`, kind: "date" },
      cvv: { value: r.chars(DIGITS, 3), kind: "secret" },
    }
    if (r.chance(0.3)) fields.pin = { value: r.chars(DIGITS, 4), kind: "secret" }
    const record: RecordInput = { type: "card", title: `${r.pick(["Visa", "Mastercard", "Amex"])} ${r.chars(DIGITS, 4)}`, fields }
    if (r.chance(0.1)) record.notes = r.prose(WORDS, r.int(30, 200))
    return record
  }

  private identity(): RecordInput {
    const r = this.random
    return {
      type: "identity",
      title: this.fullName(),
      fields: {
        email: { value: this.email(), kind: "email" },
        phone: { value: `+${r.int(1, 99)} ${r.chars(DIGITS, 9)}`, kind: "phone" },
        address: { value: `${r.int(1, 300)} ${r.pick(WORDS)} street, ${r.chars(DIGITS, 5)} ${r.pick(SITES)}ville`, kind: "text" },
        birthday: { value: `19${r.int(50, 99)}-${String(r.int(1, 12)).padStart(2, "0")}-${String(r.int(1, 28)).padStart(2, "0")}`, kind: "date" },
        passport: { value: `${r.chars(BASE32_CHARS, 2)}${r.chars(DIGITS, 7)}`, kind: "secret" },
      },
    }
  }

  private wifi(): RecordInput {
    const r = this.random
    return {
      type: "wifi",
      title: `Wi-Fi ${r.pick(["home", "office", "cabin", "parents"])}`,
      fields: {
        ssid: { value: `${r.pick(SITES)}-${r.chars(BASE32_CHARS, 4)}`, kind: "text" },
        password: { value: r.chars(PASSWORD_CHARS, r.int(12, 24)), kind: "secret" },
        security: { value: "WPA2-Personal", kind: "text" },
      },
    }
  }

  private tags(): string[] {
    const count = this.random.pick([0, 0, 1, 1, 1, 2, 3])
    return [...new Set(Array.from({ length: count }, () => this.random.pick(TAGS)))]
  }

  private fullName(): string {
    return `${this.random.pick(FIRST_NAMES)} ${this.random.pick(LAST_NAMES)}`
  }

  private email(): string {
    return `${this.random.pick(FIRST_NAMES)}.${this.random.pick(LAST_NAMES)}${this.random.int(1, 99)}@${this.random.pick(SITES)}.${this.random.pick(TLDS)}`
  }
}
