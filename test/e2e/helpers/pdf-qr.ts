import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * Renders page 1 of a PDF to PNG (poppler's `pdftoppm`) and decodes its QR
 * codes (zbar's `zbarimg`): what a phone camera would read from the printout.
 */
export function decodePdfQr(pdfPath: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "lv-qr-"))
  try {
    execFileSync("pdftoppm", ["-r", "150", "-png", "-f", "1", "-l", "1", pdfPath, join(dir, "page")])
    const png = readdirSync(dir).find((name) => name.endsWith(".png"))
    if (png === undefined) throw new Error(`pdftoppm rendered nothing from ${pdfPath}`)
    const out = execFileSync("zbarimg", ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", join(dir, png)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
    return out.split("\n").filter((line) => line.length > 0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The text of a PDF (poppler's `pdftotext`). */
export function pdfText(pdfPath: string): string {
  return execFileSync("pdftotext", ["-layout", pdfPath, "-"], { encoding: "utf8" })
}
