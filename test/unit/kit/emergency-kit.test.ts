import { execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { formatAccountKey, generateAccountKey } from "../../../src/crypto/index.js"
import { renderEmergencyKit, writeKitFile } from "../../../src/kit/index.js"
import { decodePdfQr, pdfText } from "../../e2e/helpers/pdf-qr.js"

const dir = mkdtempSync(join(tmpdir(), "lv-kit-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("emergency kit", () => {
  it("is a one-page PDF whose QR code decodes back to the account key, with the key, device and date as text", async () => {
    const accountKey = formatAccountKey(generateAccountKey())
    const pdf = await renderEmergencyKit({ accountKey, deviceName: "desk", date: new Date("2026-12-04T23:00:00Z") })
    const path = join(dir, "kit.pdf")
    writeKitFile(path, pdf)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(decodePdfQr(path)).toEqual([accountKey])
    const text = pdfText(path)
    expect(text).toContain(accountKey)
    expect(text).toContain("desk")
    expect(text).toContain("2026-12-04")
    expect(text).toMatch(/Account password/)
    expect(execFileSync("pdfinfo", [path], { encoding: "utf8" })).toMatch(/Pages:\s+1\n/)
  }, 60_000)

  it("refuses a directory, a device node or an unwritable folder with WRITE_FAILED, leaving nothing behind", async () => {
    const pdf = new Uint8Array([1, 2, 3])
    const folder = join(dir, "a-folder")
    mkdirSync(folder)
    for (const target of [folder, "/dev/null", join(dir, "missing", "kit.pdf")]) {
      expect(() => writeKitFile(target, pdf)).toThrow(expect.objectContaining({ code: "WRITE_FAILED" }))
    }
    const before = readdirSync(dir).length
    writeFileSync(join(dir, "old.pdf"), "old")
    writeKitFile(join(dir, "old.pdf"), pdf)
    expect(readFileSync(join(dir, "old.pdf"))).toEqual(Buffer.from(pdf))
    expect(readdirSync(dir).length).toBe(before + 1)
  })
})
