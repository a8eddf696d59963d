/**
 * A tiny mDNS participant run inside a test host (`node --import tsx
 * test/hosts/mdns-agent.ts '<json config>'`). It prints one JSON object per
 * line on stdout and stops cleanly (goodbye) on SIGTERM. Modes:
 * - `discovery`: an MdnsDiscovery; prints `started {instance}`, `peer`, `peerGone`.
 * - `rogue`: publishes `_lanvault._tcp` with random tags (a stranger's advert).
 * - `forge`: sends adverts with valid tags but a non-LAN A record.
 * - `sniff`: prints every mDNS packet it hears, raw and decoded.
 */
import Bonjour from "bonjour-service"
import { createSocket } from "node:dgram"
import { randomBytes } from "node:crypto"
import { fromHex } from "../../src/crypto/bytes.js"
import { MdnsDiscovery } from "../../src/discovery/mdns-discovery.js"
import { encodeAdvertTxt } from "../../src/discovery/txt-record.js"
import { silentLogger, createLogger } from "../../src/log.js"
import { isLanAddress } from "../../src/transport/lan-policy.js"

const MDNS_PORT = 5353
const MDNS_GROUP = "224.0.0.251"
const FORGE_INTERVAL_MS = 500

interface AgentConfig {
  mode: "discovery" | "rogue" | "forge" | "sniff"
  /** Address of this host (for the sniffer's multicast membership). */
  address?: string
  port?: number
  aKey?: string
  kKey?: string
  advertise?: boolean
  requeryIntervalMs?: number
  staleAfterMs?: number
  interfacePollMs?: number
  /** MdnsDiscovery's `interface` (the IPv4 address of the one interface to use). */
  interface?: string
  /** An address to put in a forged A record. */
  forgedAddress?: string
  log?: boolean
}

const config = JSON.parse(process.argv[2] ?? "{}") as AgentConfig
const print = (event: string, fields: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`)
const stops: Array<() => Promise<void>> = []

process.once("SIGTERM", () => {
  void (async () => {
    for (const stop of stops.reverse()) await stop()
    print("stopped")
    process.exit(0)
  })()
})

switch (config.mode) {
  case "discovery":
    await runDiscovery()
    break
  case "rogue":
    runRogue()
    break
  case "forge":
    runForge()
    break
  case "sniff":
    runSniffer()
    break
}

async function runDiscovery(): Promise<void> {
  const discovery = new MdnsDiscovery(
    { logger: config.log ? createLogger({ level: "debug" }) : silentLogger() },
    {
      port: config.port ?? 47_110,
      keys: { aKey: config.aKey ? fromHex(config.aKey) : undefined, kKey: config.kKey ? fromHex(config.kKey) : undefined },
      advertise: config.advertise ?? true,
      isAllowedAddress: (ip) => isLanAddress(ip),
      requeryIntervalMs: config.requeryIntervalMs,
      staleAfterMs: config.staleAfterMs,
      interfacePollMs: config.interfacePollMs,
      interface: config.interface,
    },
  )
  discovery.on("peer", (peer) => print("peer", { ...peer }))
  discovery.on("peerGone", (gone) => print("peerGone", gone))
  await discovery.start()
  print("started", { instance: discovery.advertInstance })
  // A republish (interface change) gives a new instance name: report it.
  let instance = discovery.advertInstance
  const watch = setInterval(() => {
    if (discovery.advertInstance === undefined || discovery.advertInstance === instance) return
    instance = discovery.advertInstance
    print("republished", { instance })
  }, 100)
  stops.push(async () => {
    clearInterval(watch)
    await discovery.stop()
  })
}

function runRogue(): void {
  const bonjour = new Bonjour({}, () => undefined)
  const instance = randomBytes(8).toString("hex")
  // A stranger's advert: our service type, well-formed but random tags.
  bonjour.publish({ name: instance, type: "lanvault", port: config.port ?? 47_110, host: `rogue-${instance}.local`, txt: encodeAdvertTxt({}) })
  stops.push(() => new Promise((resolve) => bonjour.unpublishAll(() => bonjour.destroy(() => resolve()))))
  print("started", { instance })
}

function runForge(): void {
  const bonjour = new Bonjour({}, () => undefined)
  const mdns = (bonjour as unknown as { server: { mdns: { respond(packet: unknown): void } } }).server.mdns
  const instance = randomBytes(8).toString("hex")
  const fqdn = `${instance}._lanvault._tcp.local`
  const host = `lv-${instance.slice(0, 12)}.local`
  const send = () =>
    mdns.respond({
      answers: [
        { name: "_lanvault._tcp.local", type: "PTR", ttl: 120, data: fqdn },
        { name: fqdn, type: "SRV", ttl: 120, data: { port: config.port ?? 47_110, target: host } },
        { name: fqdn, type: "TXT", ttl: 120, data: Object.entries(encodeAdvertTxt({ aKey: fromHex(config.aKey!) })).map(([k, v]) => `${k}=${v}`) },
        { name: host, type: "A", ttl: 120, data: config.forgedAddress ?? "8.8.8.8" },
      ],
    })
  send()
  const timer = setInterval(send, FORGE_INTERVAL_MS)
  stops.push(async () => {
    clearInterval(timer)
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()))
  })
  print("started", { instance })
}

function runSniffer(): void {
  const socket = createSocket({ type: "udp4", reuseAddr: true })
  socket.on("message", (message, rinfo) => print("raw", { from: rinfo.address, bytes: message.toString("base64") }))
  socket.bind(MDNS_PORT, "0.0.0.0", () => {
    socket.addMembership(MDNS_GROUP, config.address)
    print("started", {})
  })
  // bonjour-service's own decoder, to see records as a DNS-SD browser does.
  const bonjour = new Bonjour({}, () => undefined)
  const mdns = (bonjour as unknown as { server: { mdns: { on(event: "response", fn: (packet: { answers: unknown[]; additionals: unknown[] }) => void): void } } }).server.mdns
  mdns.on("response", (packet) => print("response", { records: [...packet.answers, ...packet.additionals].map(describeRecord) }))
  stops.push(async () => {
    socket.close()
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()))
  })
}

function describeRecord(rr: unknown): Record<string, unknown> {
  const { name, type, ttl, data } = rr as { name: string; type: string; ttl: number; data: unknown }
  const text = (value: unknown): unknown => (Buffer.isBuffer(value) ? value.toString("latin1") : Array.isArray(value) ? value.map(text) : value)
  return { name, type, ttl, data: text(data) }
}
