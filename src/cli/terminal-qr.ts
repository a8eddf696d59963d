import { createRequire } from "node:module"
import type QRCodeModule from "qrcode"

/** The quiet zone around a QR code, in modules (ISO/IEC 18004 §6.3.8 asks for 4). */
export const QUIET_ZONE_MODULES = 4

// Black on white whatever the terminal's colours: scanners want dark modules on a light ground.
const ANSI_BLACK_ON_WHITE = "\x1b[30;47m"
const ANSI_RESET = "\x1b[0m"

/**
 * A QR code of `text` in half-block characters (two module rows per line) with a
 * 4-module quiet zone on every side. With `ansi`, each line is drawn black on
 * white; without, dark modules are block characters and light ones spaces.
 */
export function terminalQr(text: string, options: { ansi: boolean }): string {
  // Required at first use: every `lanvault` process (the daemon too) loads this file, few draw a QR code.
  const QRCode = createRequire(import.meta.url)("qrcode") as typeof QRCodeModule
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: "M" }).modules
  const dark = (x: number, y: number) => x >= 0 && y >= 0 && x < size && y < size && data[y * size + x] === 1
  const lines: string[] = []
  for (let y = -QUIET_ZONE_MODULES; y < size + QUIET_ZONE_MODULES; y += 2) {
    let line = ""
    for (let x = -QUIET_ZONE_MODULES; x < size + QUIET_ZONE_MODULES; x++) {
      const top = dark(x, y)
      // The last line's lower half lies past the quiet zone when the height is odd: keep it light.
      const bottom = y + 1 < size + QUIET_ZONE_MODULES && dark(x, y + 1)
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " "
    }
    lines.push(options.ansi ? `${ANSI_BLACK_ON_WHITE}${line}${ANSI_RESET}` : line)
  }
  return lines.join("\n")
}
