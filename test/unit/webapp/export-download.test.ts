import { existsSync, statSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { describe, expect, it } from "vitest"
import { LanvaultError } from "../../../src/errors.js"
import { exportDownload, readExportRequest } from "../../../src/webapp/export-download.js"
import { codeOf, codeOfAsync } from "../../helpers/error-code.js"

describe("an export for the browser to download", () => {
  it("takes only a known format and an optional password from the page", () => {
    expect(readExportRequest({ format: "kdbx", password: "p" })).toEqual({ format: "kdbx", password: "p" })
    expect(codeOf(() => readExportRequest({ format: "csv", path: "/etc/passwd" }))).toBe("INVALID_PARAMS")
    expect(codeOf(() => readExportRequest({ format: "toString" }))).toBe("INVALID_PARAMS")
    expect(codeOf(() => readExportRequest({ format: "csv", password: 5 }))).toBe("INVALID_PARAMS")
    expect(codeOf(() => readExportRequest(undefined))).toBe("INVALID_PARAMS")
  })

  it("has the daemon write into a private temporary directory, returns the bytes and leaves nothing behind, also on failure", async () => {
    let written = ""
    const download = await exportDownload({ format: "csv" }, async ({ path, format }) => {
      expect(format).toBe("csv")
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700)
      writeFileSync(path, "a,b\n", { mode: 0o600 })
      written = path
      return { exported: 1 }
    })
    expect(new TextDecoder().decode(download.bytes)).toBe("a,b\n")
    expect(download).toMatchObject({ fileName: "lanvault-export.csv", exported: 1 })
    expect(existsSync(dirname(written))).toBe(false)

    let failed = ""
    const code = await codeOfAsync(exportDownload({ format: "kdbx" }, async ({ path }) => {
      failed = path
      writeFileSync(path, "partial")
      throw new LanvaultError("INVALID_PARAMS", "a KeePass export needs a password")
    }))
    expect(code).toBe("INVALID_PARAMS")
    expect(existsSync(dirname(failed))).toBe(false)
  })
})
