import { readFileSync } from "node:fs"
import { LanvaultError } from "../errors.js"

/** Where `npm run build` puts the bundled page (scripts/build-webapp.mjs); the same path from src/ and dist/. */
const ASSETS_DIR = new URL("../../dist/webapp/assets/", import.meta.url)

/** One file the server hands out. */
export interface Asset {
  body: Buffer
  type: string
}

/** The page's files by URL path, read once at start. */
export function loadAssets(dir: URL = ASSETS_DIR): Map<string, Asset> {
  const files: Array<[string, string, string]> = [
    ["/", "index.html", "text/html; charset=utf-8"],
    ["/assets/app.js", "app.js", "text/javascript; charset=utf-8"],
    ["/assets/app.css", "app.css", "text/css; charset=utf-8"],
  ]
  const assets = new Map<string, Asset>()
  for (const [path, file, type] of files) {
    try {
      assets.set(path, { body: readFileSync(new URL(file, dir)), type })
    } catch (cause) {
      throw new LanvaultError("INTERNAL", `the app's page is missing (${file}): run \`npm run build\``, { cause })
    }
  }
  return assets
}
