import { useCallback, useEffect, useState } from "preact/hooks"
import QRCode from "qrcode"
import { call, type DeviceInfo, type LiveEvent, type StatusResult } from "./api.js"
import { PairingPanel } from "./pairing-panel.js"

/** The account's devices: connected now or last seen, rename, revoke (new account key shown once), and pairing. */
export function DevicesView(props: { status: StatusResult; subscribe: (listener: (event: LiveEvent) => void) => () => void }) {
  const [devices, setDevices] = useState<DeviceInfo[]>([])
  const [error, setError] = useState<string | undefined>(undefined)
  const [newKey, setNewKey] = useState<{ key: string; qr: string } | undefined>(undefined)

  const load = useCallback(async () => {
    try {
      setDevices(await call<DeviceInfo[]>("devices.list"))
      setError(undefined)
    } catch (e) {
      setError((e as Error).message)
    }
  }, [])

  useEffect(() => {
    void load()
    return props.subscribe((event) => {
      if (event.type === "peer.connected" || event.type === "peer.disconnected" || event.type === "device.paired") void load()
    })
  }, [load, props.subscribe])

  const revoke = async (device: DeviceInfo) => {
    if (!window.confirm(`Revoke ${device.name}? It will no longer sync, and every other device gets a new account key.`)) return
    try {
      const result = await call<{ accountKey: string }>("devices.revoke", { deviceId: device.deviceId })
      const svg = await QRCode.toString(result.accountKey, { type: "svg", margin: 1, errorCorrectionLevel: "M" })
      setNewKey({ key: result.accountKey, qr: `data:image/svg+xml;base64,${btoa(svg)}` })
      await load()
    } catch (e) {
      setError((e as Error).message)
    }
  }

  return (
    <main class="devices">
      <h2>Devices</h2>
      {error && <p role="alert" class="error">{error}</p>}
      {newKey && (
        <section class="account-key" aria-label="New account key" role="alert">
          <p>The new account key (shown once: write it down, devices you pair from now on need it):</p>
          <p class="key"><code>{newKey.key}</code></p>
          <img class="qr" src={newKey.qr} alt="QR code of the new account key" width={192} height={192} />
          <button type="button" onClick={() => setNewKey(undefined)}>I have written it down</button>
        </section>
      )}
      <table>
        <thead>
          <tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Last seen</th><th scope="col">Actions</th></tr>
        </thead>
        <tbody>
          {devices.map((device) => <DeviceRow key={device.deviceId} device={device} onRenamed={load} onRevoke={() => void revoke(device)} />)}
        </tbody>
      </table>
      <PairingPanel subscribe={props.subscribe} />
    </main>
  )
}

function DeviceRow(props: { device: DeviceInfo; onRenamed: () => void; onRevoke: () => void }) {
  const { device } = props
  const [editing, setEditing] = useState(false)
  const [name, setName] = useState(device.name)
  const state = device.self ? "this device" : device.revoked ? "revoked" : (device.state ?? "disconnected")
  const save = async (event: Event) => {
    event.preventDefault()
    await call("devices.rename", { deviceId: device.deviceId, name: name.trim() })
    setEditing(false)
    props.onRenamed()
  }
  return (
    <tr>
      <td>
        {editing ? (
          <form onSubmit={(e) => void save(e)} class="inline">
            <input aria-label={`New name for ${device.name}`} value={name} required onInput={(e) => setName(e.currentTarget.value)} />
            <button type="submit">Save name</button>
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
          </form>
        ) : (
          device.name
        )}
      </td>
      <td>{state}</td>
      <td>{device.self ? "now" : device.lastSeenAt ? new Date(device.lastSeenAt).toLocaleString() : "never"}</td>
      <td>
        {!editing && <button type="button" onClick={() => setEditing(true)}>{`Rename ${device.name}`}</button>}
        {!device.self && !device.revoked && <button type="button" onClick={props.onRevoke}>{`Revoke ${device.name}`}</button>}
      </td>
    </tr>
  )
}
