import type { RecordInput } from "../../api/public.js"
import { shortId } from "../format.js"
import type { DemoDevice } from "./demo-device.js"
import type { DemoDeps, Fleet } from "./demo-setup.js"
import { formatLatency } from "./narrator.js"

/** How long an edit may take to reach another device before the demo fails. */
export const ARRIVAL_TIMEOUT_MS = 10_000

/** The login alpha creates. */
export const DEMO_LOGIN = {
  type: "login",
  title: "Mail",
  fields: {
    username: { value: "ann@example.com", kind: "text" },
    url: { value: "https://mail.example", kind: "url" },
    password: { value: "Tr0ub4dor&3", kind: "secret" },
  },
} satisfies RecordInput

/** The password beta sets. */
export const BETA_PASSWORD = "correct-horse-battery-9"

/** alpha creates a login; prints how long it took to be saved there and to arrive on beta and gamma. Returns its id. */
export async function showCreate(deps: DemoDeps, fleet: Fleet): Promise<string> {
  const { alpha, beta, gamma } = fleet
  deps.narrator.step(`${alpha.name} adds a login "${DEMO_LOGIN.title}" with the password "${DEMO_LOGIN.fields.password.value}"`)
  deps.narrator.command(alpha.name, ["add", "--type", "login", "--title", DEMO_LOGIN.title, "--field", `username=${DEMO_LOGIN.fields.username.value}`, "--secret-field", "password"])
  const since = performance.now()
  const { id } = await alpha.call("records.create", { record: DEMO_LOGIN })
  deps.narrator.detail(`saved on   ${alpha.name.padEnd(5)} ${formatLatency(performance.now() - since).padStart(7)}   id ${shortId(id)}`)
  await reportArrivals(deps, id, since, [beta, gamma])
  return id
}

/** beta changes the login's password; prints its arrival on alpha and gamma with the value each now holds. */
export async function showRemoteEdit(deps: DemoDeps, fleet: Fleet, id: string): Promise<void> {
  const { alpha, beta, gamma } = fleet
  deps.narrator.step(`${beta.name} changes the password to "${BETA_PASSWORD}"`)
  deps.narrator.command(beta.name, ["edit", shortId(id), "--secret-field", "password"])
  const since = performance.now()
  await beta.call("records.update", { id, set: { fields: { password: { value: BETA_PASSWORD, kind: "secret" } } } })
  deps.narrator.detail(`saved on   ${beta.name.padEnd(5)} ${formatLatency(performance.now() - since).padStart(7)}`)
  await reportArrivals(deps, id, since, [alpha, gamma], async (device) => {
    const record = await device.call("records.get", { id })
    return `   password there: "${record.fields.password?.value}"`
  })
}

/**
 * Waits for record `id` to change on each of `devices` after `since` and prints
 * each arrival as it happens, with the time from just before the call to the
 * `record.changed` event on that device.
 */
async function reportArrivals(deps: DemoDeps, id: string, since: number, devices: DemoDevice[], describe?: (device: DemoDevice) => Promise<string>): Promise<void> {
  await Promise.all(
    devices.map(async (device) => {
      const at = await device.arrivals.arrival(id, "remote", since, ARRIVAL_TIMEOUT_MS)
      const extra = describe ? await describe(device) : ""
      deps.narrator.detail(`arrived on ${device.name.padEnd(5)} ${formatLatency(at - since).padStart(7)}${extra}`)
    }),
  )
}
