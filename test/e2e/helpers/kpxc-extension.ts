import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/** Where Debian's webext-keepassxc-browser puts the extension (apt, installed by .ci/run). */
export const DEBIAN_EXTENSION = "/usr/share/webext/keepassxc-browser"

/**
 * Debian ships KeePassXC-Browser 1.8.4, a Manifest V2 extension; the Chromium
 * Debian ships now (156) loads Manifest V3 only. This copies the packaged
 * extension unchanged and rewrites only its manifest to V3: the same background
 * scripts run in a service worker (loaded by importScripts after a few lines
 * mapping MV2 names to their MV3 ones (browserAction to action, extension.getURL
 * to runtime.getURL, an empty HTMLElement for global.js, and an XMLHttpRequest that never sends, so the update
 * check stays off the network)). The content scripts, the protocol code
 * (keepass.js, client.js, nacl.js) and the extension id (fixed by the manifest
 * key) are the packaged ones.
 */
export function mv3CopyOfDebianExtension(dest: string): string {
  if (!existsSync(join(DEBIAN_EXTENSION, "manifest.json"))) throw new Error(`${DEBIAN_EXTENSION} is missing: apt install webext-keepassxc-browser`)
  cpSync(DEBIAN_EXTENSION, dest, { recursive: true, dereference: true })
  const manifest = JSON.parse(readFileSync(join(dest, "manifest.json"), "utf8")) as Record<string, unknown>
  const scripts = (manifest.background as { scripts: string[] }).scripts
  // One importScripts per script, errors kept in self.kpxcLoadErrors so a test can say which one failed.
  const imports = scripts.map((s) => `try { importScripts(${JSON.stringify(`/${s}`)}) } catch (e) { self.kpxcLoadErrors.push(${JSON.stringify(s)} + ": " + e) }`)
  writeFileSync(join(dest, "background", "mv3-worker.js"), `${SHIM}\nself.kpxcLoadErrors = [];\n${imports.join("\n")}\n`)
  const permissions = manifest.permissions as string[]
  const mv3 = {
    ...manifest,
    manifest_version: 3,
    background: { service_worker: "background/mv3-worker.js" },
    action: manifest.browser_action,
    permissions: [...permissions.filter((p) => !p.includes("/") && p !== "webRequestBlocking"), "webRequestAuthProvider"],
    host_permissions: permissions.filter((p) => p.includes("/")),
    web_accessible_resources: [{ resources: manifest.web_accessible_resources, matches: ["<all_urls>"] }],
  } as Record<string, unknown>
  for (const key of ["browser_action", "content_security_policy", "applications"]) delete mv3[key]
  writeFileSync(join(dest, "manifest.json"), JSON.stringify(mv3, null, 2))
  return dest
}

const SHIM = `// Test shim: MV2 names the packaged background scripts use, mapped for a MV3 service worker.
self.window = self;
chrome.browserAction = chrome.action;
chrome.extension = Object.assign(chrome.extension || {}, { getURL: (p) => chrome.runtime.getURL(p) });
chrome.runtime.getBackgroundPage = async () => self;
self.XMLHttpRequest = class { open() {} send() {} };
self.HTMLElement = class {};`
