import PDFDocument from "pdfkit"
import QRCode from "qrcode"

/** A4 in PDF points (1/72 in). */
const PAGE_SIZE = "A4"
const MARGIN_PT = 56
const QR_SIZE_PT = 200
/** QR error correction "M" (15 %): survives a crease or a stain on the printed page. */
const QR_ERROR_CORRECTION = "M"
const QR_PIXELS_PER_MODULE = 10

/** What the kit shows. */
export interface KitContent {
  /** The formatted account key (`LV1-…`): printed as text and encoded, alone, in the QR code. */
  accountKey: string
  deviceName: string
  date: Date
}

const HOW_TO_USE = [
  "Add a device: install lanvault on it and run `lanvault join --account-key-stdin`; give it this key (type it or scan the code), then confirm the code on a device you already have (`lanvault pair`).",
  "Recover: on a new or wiped device, join with this key, then unlock with your account password; your other devices send it the whole vault.",
  "Forgot the password? Run `lanvault reset` on one device (new key and password) and join the others again with the new key. Anyone holding this page AND your password can open your vault: keep it offline, somewhere safe.",
]

/** Renders the one-page emergency kit PDF (pdfkit, with the standard Helvetica and Courier fonts: nothing to download). */
export async function renderEmergencyKit(content: KitContent): Promise<Uint8Array> {
  const qr = await QRCode.toBuffer(content.accountKey, { type: "png", errorCorrectionLevel: QR_ERROR_CORRECTION, margin: 2, scale: QR_PIXELS_PER_MODULE })
  const doc = new PDFDocument({
    size: PAGE_SIZE,
    margin: MARGIN_PT,
    info: { Title: "lanvault emergency kit", Creator: "lanvault" },
  })
  const chunks: Buffer[] = []
  doc.on("data", (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve)
    doc.on("error", reject)
  })
  const width = doc.page.width - 2 * MARGIN_PT
  doc.font("Helvetica-Bold").fontSize(22).text("lanvault emergency kit")
  doc.moveDown(0.3).font("Helvetica").fontSize(11).fillColor("#444")
    .text(`Device: ${content.deviceName}    Date: ${content.date.toISOString().slice(0, 10)}`)
  doc.fillColor("black").moveDown(1.2).font("Helvetica-Bold").fontSize(12).text("Account key")
  doc.moveDown(0.3).font("Courier-Bold").fontSize(15).text(content.accountKey, { width })
  doc.moveDown(0.8)
  doc.image(qr, MARGIN_PT, doc.y, { width: QR_SIZE_PT, height: QR_SIZE_PT })
  doc.y += QR_SIZE_PT + 18
  doc.font("Helvetica-Bold").fontSize(12).text("Account password (write it by hand, or leave it blank and remember it)")
  doc.moveDown(1.6)
  doc.moveTo(MARGIN_PT, doc.y).lineTo(MARGIN_PT + width, doc.y).lineWidth(0.8).stroke()
  doc.moveDown(1.5).font("Helvetica-Bold").fontSize(12).text("How to use this page")
  doc.moveDown(0.3).font("Helvetica").fontSize(10.5)
  HOW_TO_USE.forEach((line, index) => doc.text(`${index + 1}. ${line}`, { width }).moveDown(0.4))
  doc.end()
  await done
  return new Uint8Array(Buffer.concat(chunks))
}

/** Renders the kit and writes it to `path` (see {@link writeKitFile}). */
export async function writeEmergencyKit(path: string, content: KitContent): Promise<void> {
  const { writeKitFile } = await import("./kit-file.js")
  writeKitFile(path, await renderEmergencyKit(content))
}
