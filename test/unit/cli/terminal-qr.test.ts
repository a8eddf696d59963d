import QRCode from "qrcode"
import { describe, expect, it } from "vitest"
import { QUIET_ZONE_MODULES, terminalQr } from "../../../src/cli/terminal-qr.js"

const KEY = "LV1-ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345"

/** Reads the half-block drawing back into rows of modules (true = dark). */
function modulesOf(drawing: string): boolean[][] {
  const rows: boolean[][] = []
  for (const line of drawing.split("\n")) {
    const chars = [...line]
    rows.push(chars.map((c) => c === "█" || c === "▀"))
    rows.push(chars.map((c) => c === "█" || c === "▄"))
  }
  return rows
}

describe("the terminal QR code", () => {
  it("draws exactly the QR symbol's modules inside a 4-module light quiet zone", () => {
    const { size, data } = QRCode.create(KEY, { errorCorrectionLevel: "M" }).modules
    const rows = modulesOf(terminalQr(KEY, { ansi: false }))
    const width = size + 2 * QUIET_ZONE_MODULES
    expect(QUIET_ZONE_MODULES).toBe(4)
    expect(rows[0]).toHaveLength(width)
    expect(rows.length).toBeGreaterThanOrEqual(width)
    for (let y = 0; y < rows.length; y++) {
      for (let x = 0; x < width; x++) {
        const [mx, my] = [x - QUIET_ZONE_MODULES, y - QUIET_ZONE_MODULES]
        const inSymbol = mx >= 0 && my >= 0 && mx < size && my < size
        expect(rows[y][x]).toBe(inSymbol ? data[my * size + mx] === 1 : false)
      }
    }
  })

  it("uses ANSI colours only when asked (for a terminal)", () => {
    expect(terminalQr(KEY, { ansi: false })).not.toContain("\x1b")
    const coloured = terminalQr(KEY, { ansi: true }).split("\n")
    for (const line of coloured) expect(line).toMatch(/^\x1b\[30;47m[ █▀▄]+\x1b\[0m$/)
  })
})
