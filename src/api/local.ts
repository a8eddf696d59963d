/**
 * What the CLI runs in its own process rather than over the socket: creating an account (no
 * daemon runs yet), a reset and the emergency kit when no daemon holds the home, the browser's
 * native-messaging manifests, and the web app server of `lanvault app`. Each part is loaded on
 * first use, so a command loads only what it runs; this is the CLI's one door to them (issue 10).
 */
import type { createAccount as CreateAccount, resetAccountOffline as ResetAccountOffline } from "../account/index.js"
import type { installHostManifests as InstallHostManifests } from "../browser/host-manifests.js"

/** `lanvault init`: a new account in `home` (see account/createAccount). */
export async function createAccount(...args: Parameters<typeof CreateAccount>): ReturnType<typeof CreateAccount> {
  return (await import("../account/index.js")).createAccount(...args)
}

/** `lanvault reset` with no daemon running: resets the vault on disk. */
export async function resetAccountOffline(...args: Parameters<typeof ResetAccountOffline>): ReturnType<typeof ResetAccountOffline> {
  return (await import("../account/index.js")).resetAccountOffline(...args)
}

/** `lanvault kit` with no daemon running: the emergency kit of the account in `home`, written to `path` (0600). */
export async function writeKitOffline(home: string, path: string, date = new Date()): Promise<void> {
  const [{ readKitFacts }, { writeEmergencyKit }] = await Promise.all([import("../account/index.js"), import("../kit/index.js")])
  await writeEmergencyKit(path, { ...readKitFacts(home), date })
}

/** `lanvault browser install`: the native-messaging host script and each browser's manifest. */
export async function installHostManifests(...args: Parameters<typeof InstallHostManifests>): ReturnType<typeof InstallHostManifests> {
  return (await import("../browser/host-manifests.js")).installHostManifests(...args)
}

/** `lanvault app`: the local web app server (a socket client like any desktop app) and the browser opener. */
export async function loadWebApp() {
  const { AppServer, openInBrowser } = await import("../webapp/index.js")
  return { AppServer, openInBrowser }
}
