import { networkInterfaces, type NetworkInterfaceInfo } from "node:os"

/**
 * What `lanvault pair` tells the person to run on the new device: plain `join`
 * (mDNS finds this device), and for networks that block multicast, `join --peer`
 * with this machine's real LAN addresses and the daemon's port.
 */
export function joinHint(port: number | undefined, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const addresses = lanAddresses(interfaces)
  const portText = port === undefined ? "PORT" : String(port)
  const lines = [
    "On the new device run `lanvault join --account-key-stdin` (it finds this device by mDNS: no address needed), then its daemon, then `lanvault unlock`.",
  ]
  if (addresses.length === 0) {
    lines.push(`If multicast is blocked there: \`lanvault join --peer ADDRESS:${portText} --account-key-stdin\` with this device's LAN address (none found on its interfaces).`)
    return lines
  }
  lines.push(`If multicast is blocked there (guest Wi-Fi, VLANs): \`lanvault join --peer ${addresses[0]}:${portText} --account-key-stdin\``)
  if (addresses.length > 1) lines.push(`  (this device's other addresses: ${addresses.slice(1).map((a) => `${a}:${portText}`).join(", ")})`)
  return lines
}

/** Non-loopback IPv4 addresses first, then link-local-free IPv6 ones (in brackets), in interface order. */
export function lanAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  const all = Object.values(interfaces).flatMap((list) => list ?? []).filter((info) => !info.internal)
  const v4 = all.filter((info) => info.family === "IPv4").map((info) => info.address)
  const v6 = all.filter((info) => info.family === "IPv6" && !info.address.toLowerCase().startsWith("fe80:")).map((info) => `[${info.address}]`)
  return [...new Set([...v4, ...v6])]
}
