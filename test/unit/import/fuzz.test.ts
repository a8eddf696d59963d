import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { zipSync } from "fflate"
import { READABLE_FORMATS, readImport, type ImportFormat, type ImportResult } from "../../../src/import/index.js"
import { FIELD_KINDS } from "../../../src/merge/types.js"

const NUM_RUNS = 300
const encode = (text: string) => new TextEncoder().encode(text)

const HEADERS: Partial<Record<ImportFormat, string>> = {
  "chrome-csv": "name,url,username,password,note",
  "keepassxc-csv": '"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"',
  "1password-csv": "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes",
  "bitwarden-csv": "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp",
  csv: "type,title,username,password,url,notes,tags,favorite,fields",
  "lastpass-csv": "url,username,password,totp,extra,name,grouping,fav",
  "firefox-csv": "url,username,password,httpRealm,formActionOrigin,guid,timeCreated,timeLastUsed,timePasswordChanged",
  "apple-csv": "Title,URL,Username,Password,Notes,OTPAuth",
  "dashlane-csv": "username,username2,username3,title,password,note,url,category,otpUrl",
  "nordpass-csv": "name,url,additional_urls,username,password,note,cardholdername,cardnumber,cvc,pin,expirydate,zipcode,folder,full_name,phone_number,email,address1,address2,city,country,state,type,custom_fields",
  "keeper-csv": "",
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

const enpassDoc = fc
  .record({
    folders: usually(fc.array(fc.record({ uuid: usually(fc.string()), title: jsonish, parent_uuid: jsonish }, { requiredKeys: [] }))),
    items: usually(fc.array(fc.record({ title: jsonish, category: usually(fc.constantFrom("login", "note", "creditcard")), favorite: jsonish, trashed: jsonish, folders: jsonish, createdAt: jsonish, fields: usually(fc.array(fc.record({ label: jsonish, type: usually(fc.constantFrom("username", "password", "url", "totp", "text")), value: jsonish, sensitive: jsonish }, { requiredKeys: [] }))) }, { requiredKeys: [] }), { maxLength: 4 })),
  })
  .map((doc) => JSON.stringify(doc))
const protonDoc = fc
  .record({
    encrypted: usually(fc.constant(false)),
    vaults: usually(fc.dictionary(fc.string(), fc.record({ name: jsonish, items: usually(fc.array(fc.record({ state: jsonish, pinned: jsonish, createTime: jsonish, data: usually(fc.record({ type: usually(fc.constantFrom("login", "note", "creditCard", "identity", "alias")), metadata: usually(fc.record({ name: jsonish, note: jsonish }, { requiredKeys: [] })), content: jsonish, extraFields: jsonish }, { requiredKeys: [] })) }, { requiredKeys: [] }))) }, { requiredKeys: [] }), { maxKeys: 3 })),
  })
  .map((doc) => JSON.stringify(doc))
const zipOf = (members: fc.Arbitrary<Record<string, string>>) =>
  members.map((files) => new TextDecoder("latin1").decode(zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, encode(text)])))))

function structured(format: ImportFormat): fc.Arbitrary<string> {
  if (format === "bitwarden-json") return bitwardenDoc
  if (format === "json") return lanvaultDoc
  if (format === "enpass-json") return enpassDoc
  if (format === "proton-json") return protonDoc
  if (format === "keepass-xml") return fc.string({ maxLength: 100 }).map((inner) => `<?xml version="1.0"?><KeePassFile><Root><Group><Name>x</Name>${inner}</Group></Root></KeePassFile>`)
  if (format === "msecure-csv") return fc.array(msecureRow, { maxLength: 8 }).map((rows) => rows.join("\n"))
  const header = HEADERS[format] ?? ""
  return csvRows(header.split(",").length).map((rows) => [header, ...rows].join("\n"))
}

// ZIP formats get real ZIPs of random members; these are their bytes.
function structuredBytes(format: ImportFormat): fc.Arbitrary<Uint8Array> {
  if (format === "1password-1pux") return zipOf(fc.record({ "export.attributes": fc.string(), "export.data": fc.oneof(lanvaultDoc, fc.constant('{"accounts":[{"vaults":[{"attrs":{"name":"v"},"items":[{"overview":{"title":"t"},"details":{"sections":[{"fields":[{"value":{"concealed":"x"}}]}]}}]}]}]}')) }, { requiredKeys: [] })).map((text) => Uint8Array.from(text, (c) => c.charCodeAt(0)))
  if (format === "proton-zip") return zipOf(fc.record({ "Proton Pass/data.json": protonDoc }, { requiredKeys: [] })).map((text) => Uint8Array.from(text, (c) => c.charCodeAt(0)))
  return structured(format).map(encode)
}

/**
 * Runs an import: it must return a well-formed result or throw IMPORT_FAILED,
 * nothing else (a KDBX of random bytes may also say WRONG_PASSWORD; detection
 * may say UNSUPPORTED_FORMAT).
 */
async function importOrFail(bytes: Uint8Array, format: ImportFormat | undefined): Promise<void> {
  let result: ImportResult
  try {
    result = await readImport(bytes, format, { password: "fuzz" })
  } catch (error) {
    expect(error).toBeInstanceOf(LanvaultError)
    const allowed = format === undefined ? ["IMPORT_FAILED", "UNSUPPORTED_FORMAT", "WRONG_PASSWORD"] : format === "kdbx" ? ["IMPORT_FAILED", "WRONG_PASSWORD"] : ["IMPORT_FAILED"]
    expect(allowed).toContain((error as LanvaultError).code)
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

describe.each([...READABLE_FORMATS, undefined])("%s fed random input", (format) => {
  it("only ever throws IMPORT_FAILED, given random bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), (bytes) => importOrFail(bytes, format)),
      { numRuns: NUM_RUNS },
    )
  })

  it("only ever throws IMPORT_FAILED, given random text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => importOrFail(encode(text), format)),
      { numRuns: NUM_RUNS },
    )
  })

  it("only ever throws IMPORT_FAILED, given near-valid files", async () => {
    await fc.assert(
      fc.asyncProperty(format === undefined ? fc.constantFrom(...READABLE_FORMATS).chain(structuredBytes) : structuredBytes(format), (bytes) => importOrFail(bytes, format)),
      { numRuns: NUM_RUNS },
    )
  })
})
