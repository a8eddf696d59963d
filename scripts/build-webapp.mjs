// Bundles the browser page of `lanvault app` (src/webapp/ui) into dist/webapp/assets:
// one script, one stylesheet, one HTML file. Offline: esbuild and preact come from node_modules.
import { copyFileSync, mkdirSync } from "node:fs"
import { build } from "esbuild"

const ui = new URL("../src/webapp/ui/", import.meta.url)
const out = new URL("../dist/webapp/assets/", import.meta.url)
mkdirSync(out, { recursive: true })
await build({
  entryPoints: [new URL("main.tsx", ui).pathname],
  outfile: new URL("app.js", out).pathname,
  bundle: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
})
copyFileSync(new URL("app.css", ui), new URL("app.css", out))
copyFileSync(new URL("index.html", ui), new URL("index.html", out))
