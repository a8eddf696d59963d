import fc from "fast-check"
import { FIELD_KINDS, type FieldValue, type RecordInput, type VaultRecord } from "../../../src/merge/types.js"

/** A vault record with every part set; the record model's defaults elsewhere. */
export function vaultRecord(parts: Partial<VaultRecord> & Pick<VaultRecord, "title">): VaultRecord {
  return {
    id: `id-${parts.title}`,
    type: "login",
    fields: {},
    notes: "",
    tags: [],
    favorite: false,
    trashed: false,
    createdAt: 1_736_900_000_000,
    updatedAt: 1_736_933_400_000,
    ...parts,
  }
}

/** What an import of `record` should give back: its RecordInput parts. */
export function inputOf(record: VaultRecord): Required<Omit<RecordInput, "createdAt" | "updatedAt" | "history">> {
  const { type, title, fields, notes, tags, favorite } = record
  return { type, title, fields, notes, tags, favorite }
}

/** What an import of lanvault's JSON export of `record` gives back: its parts and its dates. */
export function jsonInputOf(record: VaultRecord): RecordInput {
  return { ...inputOf(record), createdAt: record.createdAt, updatedAt: record.updatedAt }
}

/** Records covering every kind, unicode, quoting, line breaks and odd field names. */
export const SAMPLE_RECORDS: VaultRecord[] = [
  vaultRecord({
    title: "Forum, \"the\" one",
    fields: {
      username: { value: "ada", kind: "text" },
      password: { value: 'pa,ss"word\nwith a line', kind: "secret" },
      url: { value: "https://forum.example", kind: "url" },
      url2: { value: "https://m.forum.example", kind: "url" },
      totp: { value: "otpauth://totp/Forum:ada?secret=JBSWY3DPEHPK3PXP", kind: "totp" },
      "Security question": { value: "first pet: Rex", kind: "text" },
    },
    notes: "first line\nsecond line, with a comma",
    tags: ["Social/Forums", "Work"],
    favorite: true,
  }),
  vaultRecord({
    type: "card",
    title: "Visa de Zoé 💳",
    fields: {
      cardholder: { value: "Zoé Martin", kind: "text" },
      number: { value: "4111111111111111", kind: "secret" },
      expiry: { value: "05/2027", kind: "text" },
      issued: { value: "2022-05-01", kind: "date" },
      limit: { value: "1500", kind: "number" },
    },
  }),
  vaultRecord({
    type: "identity",
    title: "日本語の名前",
    fields: {
      email: { value: "taro@example.jp", kind: "email" },
      phone: { value: "+81 3-0000-0000", kind: "phone" },
      username: { value: "taro@example.jp", kind: "email" },
      url: { value: "not really a url", kind: "text" },
    },
  }),
  vaultRecord({ type: "note", title: "Just a note", notes: "  indented\n\ttabbed 🎉" }),
  vaultRecord({
    type: "wifi",
    title: "Odd field names",
    fields: Object.fromEntries<FieldValue>([
      ["__proto__", { value: "not a prototype", kind: "text" }],
      ["constructor", { value: "c", kind: "text" }],
      ["password", { value: "wifi-pass", kind: "secret" }],
    ]),
  }),
]

const NAMES = fc.oneof(
  fc.constantFrom("username", "password", "url", "url2", "totp", "__proto__", "constructor", "toString", "Security question"),
  fc.string({ minLength: 1, maxLength: 12 }),
)
const TEXT = fc.string({ unit: "grapheme", maxLength: 20 })
const FIELD: fc.Arbitrary<FieldValue> = fc.record({ value: TEXT, kind: fc.constantFrom(...FIELD_KINDS) })

/** Arbitrary vault records with unique titles (so none is a duplicate of another). */
export function arbitraryRecords(options: { csvSafe: boolean }): fc.Arbitrary<VaultRecord[]> {
  const clean = (s: string) => (options.csvSafe ? s.replace(/[\r;]/g, "").trim() : s)
  const record = fc.record({
    type: fc.constantFrom("login", "card", "note", "identity", "wifi", "ssh-key", "custom type"),
    title: TEXT,
    fields: fc.uniqueArray(fc.tuple(NAMES, FIELD), { selector: ([name]) => name, maxLength: 6 }),
    notes: TEXT.map((s) => (options.csvSafe ? s.replace(/\r/g, "") : s)),
    tags: fc.uniqueArray(TEXT.map(clean).filter((tag) => !options.csvSafe || tag !== ""), { maxLength: 3 }),
    favorite: fc.boolean(),
  })
  return fc.array(record, { maxLength: 8 }).map((list) =>
    list.map((r, i) =>
      vaultRecord({
        ...r,
        title: options.csvSafe ? `${i} ${clean(r.title)}`.trim() : `${i}:${r.title}`,
        fields: Object.fromEntries(r.fields.map(([name, field]) => [name, options.csvSafe ? { ...field, value: field.value.replace(/\r/g, "") } : field])),
      }),
    ),
  )
}
