import { mkdir, readFile, writeFile } from "node:fs/promises"
import { homedir } from "node:os"
import { dirname, join } from "node:path"

/** The host name KeePassXC-Browser connects to (it knows no other). */
export const HOST_NAME = "org.keepassxc.keepassxc_browser"
/** The extension's ids: Chrome Web Store (also the Debian package's, fixed by its manifest key) and Edge. */
const CHROMIUM_ORIGINS = ["chrome-extension://oboonakemofpalcgghocfoadofidjkkk/", "chrome-extension://pdffhmdngciaglkoonimfcmckehcpafo/"]
const FIREFOX_EXTENSION_ID = "keepassxc-browser@keepassxc.org"

export type BrowserName = "chromium" | "chrome" | "brave" | "firefox"

export interface ManifestResult {
  browser: BrowserName
  path: string
  /** written: ours now; kept: KeePassXC's manifest was there and was left (its proxy reaches lanvault too). */
  outcome: "written" | "kept-keepassxc" | "replaced-keepassxc"
  /** The host the kept manifest runs. */
  keptHost?: string
}

/** Where each browser looks for a user's native-messaging manifests. */
export function manifestDirs(platform: NodeJS.Platform = process.platform, home: string = homedir(), env: NodeJS.ProcessEnv = process.env): Record<BrowserName, string> {
  if (platform === "darwin") {
    const support = join(home, "Library", "Application Support")
    return {
      chromium: join(support, "Chromium", "NativeMessagingHosts"),
      chrome: join(support, "Google", "Chrome", "NativeMessagingHosts"),
      brave: join(support, "BraveSoftware", "Brave-Browser", "NativeMessagingHosts"),
      firefox: join(support, "Mozilla", "NativeMessagingHosts"),
    }
  }
  const config = env.XDG_CONFIG_HOME || join(home, ".config")
  return {
    chromium: join(config, "chromium", "NativeMessagingHosts"),
    chrome: join(config, "google-chrome", "NativeMessagingHosts"),
    brave: join(config, "BraveSoftware", "Brave-Browser", "NativeMessagingHosts"),
    firefox: join(home, ".mozilla", "native-messaging-hosts"),
  }
}

/** The manifest for one browser, pointing at `hostPath`. */
export function manifestFor(browser: BrowserName, hostPath: string): Record<string, unknown> {
  const base = { name: HOST_NAME, description: "lanvault: KeePassXC-Browser bridge", path: hostPath, type: "stdio" }
  return browser === "firefox" ? { ...base, allowed_extensions: [FIREFOX_EXTENSION_ID] } : { ...base, allowed_origins: CHROMIUM_ORIGINS }
}

/**
 * Writes the host launcher (`<lanvault home>/browser-host`, running this
 * package's relay with this Node) and each browser's manifest. A manifest of
 * KeePassXC's own (its path ends in keepassxc-proxy) is kept unless `force`:
 * that proxy connects to the same socket, so it already works with lanvault.
 */
export async function installHostManifests(options: {
  lanvaultHome: string
  relayScript: string
  force?: boolean
  dirs?: Record<BrowserName, string>
  nodePath?: string
}): Promise<{ host: string; manifests: ManifestResult[] }> {
  const host = join(options.lanvaultHome, "browser-host")
  await mkdir(options.lanvaultHome, { recursive: true, mode: 0o700 })
  const script = `#!/bin/sh\n# lanvault's native-messaging host (written by \`lanvault browser install\`)\nexec ${shellQuote(options.nodePath ?? process.execPath)} ${shellQuote(options.relayScript)} "$@"\n`
  await writeFile(host, script, { mode: 0o755 })
  const dirs = options.dirs ?? manifestDirs()
  const manifests: ManifestResult[] = []
  for (const browser of Object.keys(dirs) as BrowserName[]) {
    const path = join(dirs[browser], `${HOST_NAME}.json`)
    const existing = await keepassxcHost(path)
    if (existing !== undefined && !options.force) {
      manifests.push({ browser, path, outcome: "kept-keepassxc", keptHost: existing })
      continue
    }
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, `${JSON.stringify(manifestFor(browser, host), null, 2)}\n`)
    manifests.push({ browser, path, outcome: existing === undefined ? "written" : "replaced-keepassxc" })
  }
  return { host, manifests }
}

/** The host path of a KeePassXC manifest at `path`, or undefined (none, or not KeePassXC's). */
async function keepassxcHost(path: string): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path, "utf8")) as { path?: unknown }
    return typeof manifest.path === "string" && /keepassxc/i.test(manifest.path) ? manifest.path : undefined
  } catch {
    return undefined
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}
