import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { IMPORT_FORMATS, parseImport, type ImportFormat, type ImportResult } from "../../../src/import/index.js"
import { FIELD_KINDS } from "../../../src/merge/types.js"

const NUM_RUNS = 300
const encode = (text: string) => new TextEncoder().encode(text)

const HEADERS: Partial<Record<ImportFormat, string>> = {
  "chrome-csv": "name,url,username,password,note",
  "keepassxc-csv": '"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"',
  "1password-csv": "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes",
  "bitwarden-csv": "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp",
  csv: "type,title,username,password,url,notes,tags,favorite,fields",
}

const cellText = fc.string({
  unit: fc.constantFrom("a", "Z", "é", "🎉", ",", '"', "\n", "\r", " ", "|", ";", ":", "/", "1", "{", "}", "\\n", "https://x.example", "true", "otpauth://totp/x"),
  maxLength: 10,
})
const quotedCell = cellText.map((s) => `"${s.replaceAll('"', '""')}"`)
const anyCell = fc.oneof(cellText, quotedCell)
// Mostly rows as wide as the header, so the mapping code runs; some of any width.
const csvRows = (width: number) =>
  fc.array(
    fc.oneof(
      { arbitrary: fc.array(quotedCell, { minLength: width, maxLength: width }), weight: 5 },
      { arbitrary: fc.array(anyCell, { maxLength: 12 }), weight: 1 },
    ).map((cells) => cells.join(",")),
    { maxLength: 8 },
  )
const msecureRow = fc
  .tuple(cellText, cellText, cellText, cellText, fc.array(fc.tuple(cellText, fc.nat(20), cellText), { maxLength: 6 }))
  .map(([title, type, tag, notes, fields]) =>
    [title, type, tag, notes, ...fields.map(([name, kind, value]) => `${name}|${kind}|${value}`)]
      .map((cell) => `"${cell.replaceAll('"', '""')}"`)
      .join(","),
  )

const jsonish = fc.jsonValue({ maxDepth: 3 })
const bitwardenDoc = fc
  .record(
    {
      encrypted: fc.oneof(fc.boolean(), jsonish),
      folders: fc.oneof(jsonish, fc.array(fc.record({ id: fc.oneof(fc.string(), jsonish), name: jsonish }, { requiredKeys: [] }))),
      collections: jsonish,
      items: fc.oneof(
        jsonish,
        fc.array(
          fc.record(
            {
              type: fc.oneof(fc.integer({ min: 0, max: 6 }), jsonish),
              name: jsonish,
              notes: jsonish,
              favorite: jsonish,
              folderId: jsonish,
              collectionIds: jsonish,
              deletedDate: jsonish,
              login: fc.oneof(jsonish, fc.record({ username: jsonish, password: jsonish, totp: jsonish, uris: fc.array(fc.record({ uri: jsonish })) }, { requiredKeys: [] })),
              card: jsonish,
              identity: jsonish,
              sshKey: jsonish,
              fields: fc.oneof(jsonish, fc.array(fc.record({ name: jsonish, value: jsonish, type: fc.oneof(fc.integer({ min: 0, max: 3 }), jsonish) }, { requiredKeys: [] }))),
            },
            { requiredKeys: [] },
          ),
        ),
      ),
    },
    { requiredKeys: [] },
  )
  .map((doc) => JSON.stringify(doc))
// Mostly one valid choice, sometimes any JSON value.
const usually = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: jsonish, weight: 1 })
const lanvaultRecord = fc.record(
  {
    type: usually(fc.constantFrom("login", "note")),
    title: usually(fc.string()),
    fields: usually(fc.dictionary(fc.string(), usually(fc.record({ value: usually(fc.string()), kind: usually(fc.constantFrom(...FIELD_KINDS)) })))),
    notes: usually(fc.string()),
    tags: usually(fc.array(fc.string())),
    favorite: usually(fc.boolean()),
    trashed: jsonish,
  },
  { requiredKeys: [] },
)
const lanvaultDoc = fc
  .record({
    format: usually(fc.constant("lanvault-export")),
    version: usually(fc.constant(1)),
    records: usually(fc.array(lanvaultRecord, { maxLength: 4 })),
  })
  .map((doc) => JSON.stringify(doc))

function structured(format: ImportFormat): fc.Arbitrary<string> {
  if (format === "bitwarden-json") return bitwardenDoc
  if (format === "json") return lanvaultDoc
  if (format === "msecure-csv") return fc.array(msecureRow, { maxLength: 8 }).map((rows) => rows.join("\n"))
  const header = HEADERS[format] ?? ""
  return csvRows(header.split(",").length).map((rows) => [header, ...rows].join("\n"))
}

/** Runs an import: it must return a well-formed result or throw IMPORT_FAILED, nothing else. */
function importOrFail(bytes: Uint8Array, format: ImportFormat): void {
  let result: ImportResult
  try {
    result = parseImport(bytes, format)
  } catch (error) {
    expect(error).toBeInstanceOf(LanvaultError)
    expect((error as LanvaultError).code).toBe("IMPORT_FAILED")
    return
  }
  for (const record of result.records) {
    expect(typeof record.type).toBe("string")
    expect(record.title).not.toBe("")
    for (const field of Object.values(record.fields ?? {})) {
      expect(typeof field.value).toBe("string")
      expect(FIELD_KINDS).toContain(field.kind)
    }
  }
}

describe.each(IMPORT_FORMATS)("%s fed random input", (format) => {
  it("only ever throws IMPORT_FAILED, given random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => importOrFail(bytes, format)),
      { numRuns: NUM_RUNS },
    )
  })

  it("only ever throws IMPORT_FAILED, given random text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => importOrFail(encode(text), format)),
      { numRuns: NUM_RUNS },
    )
  })

  it("only ever throws IMPORT_FAILED, given near-valid files", () => {
    fc.assert(
      fc.property(structured(format), (text) => importOrFail(encode(text), format)),
      { numRuns: NUM_RUNS },
    )
  })
})
