import { spawn } from "node:child_process"
import { mkdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core"
import { onTestFinished } from "vitest"
import { BIN, waitFor } from "./cli.js"
import type { Device } from "./devices.js"

/** Debian's Chromium (apt `chromium`, installed by .ci/run); playwright-core downloads no browser. */
export const CHROMIUM = process.env.LANVAULT_CHROMIUM ?? "/usr/bin/chromium"
/** Where the e2e tests leave the README's screenshots. */
export const SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url))

/** A real headless Chromium, closed when the test ends. */
export async function launchBrowser(): Promise<Browser> {
  // Chromium refuses to run its sandbox as root (CI runs as root).
  const args = process.getuid?.() === 0 ? ["--no-sandbox"] : []
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args })
  onTestFinished(() => browser.close())
  return browser
}

/** `lanvault app --no-open` of one device: its sign-in URL (first stdout line) and origin. */
export interface RunningApp {
  url: string
  origin: string
  output: () => string
}

/** Starts `lanvault app --no-open` for `device` and reads the URL from the first line of its stdout. */
export async function startApp(device: Device): Promise<RunningApp> {
  const child = spawn(process.execPath, [BIN, "app", "--no-open"], {
    env: { PATH: process.env.PATH, HOME: device.home, LANVAULT_HOME: device.home },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk) => (stdout += chunk))
  child.stderr.on("data", (chunk) => (stderr += chunk))
  const exited = new Promise((resolve) => child.on("exit", resolve))
  onTestFinished(async () => {
    if (child.exitCode === null) child.kill("SIGTERM")
    await exited
  })
  const firstLine: string = await waitFor<string | undefined>(() => {
    if (child.exitCode !== null) throw new Error(`lanvault app exited: ${stderr}`)
    return stdout.includes("\n") ? stdout.split("\n")[0] : undefined
  }, "the app's first line") as string
  return { url: firstLine, origin: new URL(firstLine).origin, output: () => stdout + stderr }
}

/** A browser page signed in to `app` (the one-time token exchanged), with the clipboard allowed. */
export async function openWindow(browser: Browser, app: RunningApp, options: { width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 800 } })
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.origin })
  const page = await context.newPage()
  await page.goto(app.url)
  await page.waitForURL(`${app.origin}/`)
  return { context, page }
}

/** How long `eventually` waits (expect.poll's default, 1 s, is too short for a loaded machine). */
export const POLL = { timeout: 15_000 }

/** Saves a screenshot for the README. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` })
}

