import { InvalidParamsError } from "../errors.js"
import type { BrowserService } from "../browser/index.js"
import { optionalBoolean, requireString } from "../api/params.js"
import type { Handlers } from "./handlers.js"

/** The `browser.*` methods (DESIGN §13): switching the browser socket on and off, approvals, associations. */
export function createBrowserHandlers(browser: BrowserService): Handlers {
  return {
    "browser.status": () => browser.status(),
    "browser.enable": () => browser.enable(),
    "browser.disable": () => browser.disable(),
    "browser.allow": (params) => {
      const seconds = (params as { seconds?: unknown } | undefined)?.seconds
      if (seconds !== undefined && (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0)) {
        throw new InvalidParamsError('"seconds" must be a positive number')
      }
      return browser.allow(seconds, optionalBoolean(params, "wait") ?? false)
    },
    "browser.list": () => browser.list(),
    "browser.revoke": async (params) => {
      const name = requireString(params, "name")
      await browser.revoke(name)
      return { name }
    },
  }
}
