import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { hostname, tmpdir, userInfo } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createHosts, type TestHosts } from "../hosts/netns.js"
import { waitFor } from "../e2e/helpers/cli.js"
import { chaosSeed, describeChaos, log, Rng, sleep } from "./helpers/chaos-env.js"
import { PASSWORD } from "./helpers/loopback-vault.js"
import { NetnsVault, PORT } from "./helpers/netns-vault.js"

/**
 * No plaintext where it must not be (issue 7): a tcpdump capture of the netns
 * bridge during a full sync between two daemons (mDNS discovery, pairing, first
 * sync, live edits both ways) holds no record title, field value, note or
 * password, and its mDNS packets carry no account id, device id, device name, user
 * name or host name;
 * the files of both homes (vault.db with its snapshot rows, the WAL) hold no
 * record content, password or account key either. Needs tcpdump.
 */

const RECORDS = 25
/** Time for tcpdump to write what it has received before it is stopped. */
const CAPTURE_DRAIN_MS = 1_000

interface Secrets {
  /** Record contents and the password: in no packet and no file. */
  content: string[]
  /** Identities: in no packet (they are in vault.db by design). */
  identity: string[]
}

describeChaos("no plaintext on the wire or on disk", () => {
  let hosts: TestHosts
  let devices: NetnsVault[] = []
  let capture: Awaited<ReturnType<typeof startCapture>> | undefined

  beforeAll(async () => {
    hosts = await createHosts(2)
  }, 60_000)

  afterAll(async () => {
    capture?.child.kill("SIGKILL")
    for (const device of devices) await device.stop("SIGKILL")
    await hosts?.cleanup()
    for (const device of devices) device.destroy()
    if (capture) rmSync(capture.dir, { recursive: true, force: true })
  }, 60_000)

  it("a capture of a full sync, vault.db, its snapshots and WAL contain no title, field value, note or password", async () => {
    const rng = new Rng(chaosSeed("no-plaintext"))
    const word = () => `${rng.word(6)}Q${rng.word(10)}`
    // A bridge interface sees only frames it floods, not unicast it forwards between ports once it has
    // learnt the MACs: with ageing 0 it learns nothing and floods all, so the capture sees every packet.
    execFileSync("ip", ["link", "set", "dev", hosts.bridge, "type", "bridge", "ageing_time", "0"])
    capture = await startCapture(hosts.bridge)
    const [one, two] = (devices = hosts.hosts.map((host, i) => new NetnsVault(host, `${["desk", "laptop"][i]}-${rng.word(8)}`)))
    // The machine's own names must not be announced either (mDNS host names are random per start).
    // (Names shorter than 4 bytes would match random ciphertext by chance: left out.)
    const machineNames = [userInfo().username, hostname()].filter((name) => name.length >= 4)
    const secrets: Secrets = { content: [PASSWORD], identity: [one.name, two.name, ...machineNames] }

    await one.init()
    secrets.content.push(one.accountKey)
    await one.start()
    await one.unlock()
    for (let i = 0; i < RECORDS; i++) {
      const record = {
        type: "login",
        title: `title-${word()}`,
        fields: {
          username: { value: `user-${word()}`, kind: "text" as const },
          password: { value: `pw-${word()}`, kind: "secret" as const },
          url: { value: `https://${word()}.example/`, kind: "url" as const },
        },
        notes: `notes-${word()} and more-${word()}`,
        tags: [`tag-${word()}`],
      }
      await one.client!.call("records.create", { record })
      secrets.content.push(record.title, record.notes, record.tags[0], ...Object.values(record.fields).map((f) => f.value))
    }

    await two.joinThrough(one)
    await two.start()
    await two.unlock()
    await waitFor(async () => (await two.client!.call("records.list", {})).length === RECORDS, "the first sync", 60_000)
    // Live pushes both ways after the first sync.
    const [first] = await two.client!.call("records.list", {})
    const fromTwo = `edited-on-two-${word()}`
    await two.client!.call("records.update", { id: first.id, set: { fields: { password: { value: fromTwo, kind: "secret" } } } })
    const fromOne = `created-on-one-${word()}`
    await one.client!.call("records.create", { record: { type: "note", title: fromOne, notes: `live-note-${fromOne}` } })
    secrets.content.push(fromTwo, fromOne, `live-note-${fromOne}`)
    await waitFor(async () => (await one.client!.call("records.get", { id: first.id })).fields.password.value === fromTwo, "two's edit on one")
    await waitFor(async () => (await two.client!.call("records.list", { query: fromOne })).length === 1, "one's record on two")
    for (const device of devices) {
      const status = await device.client!.call("status", {})
      secrets.identity.push(status.accountId, status.deviceId)
    }
    // Snapshots are written at lock; read the files while the WAL still holds them.
    for (const device of devices) await device.lock()
    const walFiles = devices.flatMap((device) => homeFiles(device.home))
    expect(walFiles.some((f) => f.endsWith("vault.db-wal"))).toBe(true)
    const found: string[] = []
    for (const file of walFiles) found.push(...leaks(readFileSync(file), secrets.content).map((s) => `${file} holds "${s}"`))

    const packets = await stopCapture(capture)
    log(`no-plaintext: capture of ${packets.length} bytes on ${hosts.bridge}; ${secrets.content.length} contents and ${secrets.identity.length} identities searched`)
    expect(packets.length).toBeGreaterThan(20_000)
    expect(packets.includes(Buffer.from("_lanvault"))).toBe(true) // mDNS was captured (the service type is public)
    const syncPackets = countPackets(capture.file, `tcp port ${PORT}`)
    log(`no-plaintext: ${syncPackets} packets of the sync (tcp port ${PORT}) captured`)
    expect(syncPackets).toBeGreaterThan(20) // the sync itself crossed the bridge
    found.push(...leaks(packets, [...secrets.content, ...secrets.identity]).map((s) => `the capture holds "${s}"`))
    found.push(...leaks(packets, secrets.identity.filter((s) => /^[0-9a-f]+$/.test(s)).map((hex) => Buffer.from(hex, "hex"))).map((s) => `the capture holds the raw bytes of ${s}`))

    // After a clean stop (WAL checkpointed into vault.db).
    for (const device of devices) await device.stop()
    for (const file of devices.flatMap((device) => homeFiles(device.home))) {
      found.push(...leaks(readFileSync(file), secrets.content).map((s) => `${file} holds "${s}"`))
    }
    expect(found).toEqual([])
  })
})

/** Every regular file of a home (sockets and the account key file, which holds the key by design, aside). */
function homeFiles(home: string): string[] {
  return readdirSync(home)
    .map((name) => join(home, name))
    .filter((path) => statSync(path).isFile() && !/account[-_.]?key/i.test(path))
}

/** Which of `needles` occur in `haystack` (as UTF-8 text, also UTF-16LE, or as given bytes). */
function leaks(haystack: Buffer, needles: Array<string | Buffer>): string[] {
  const out: string[] = []
  for (const needle of needles) {
    if (Buffer.isBuffer(needle)) {
      if (haystack.includes(needle)) out.push(needle.toString("hex"))
      continue
    }
    if (haystack.includes(Buffer.from(needle, "utf8")) || haystack.includes(Buffer.from(needle, "utf16le"))) out.push(needle)
  }
  return out
}

async function startCapture(bridge: string): Promise<{ child: ChildProcess; file: string; dir: string; stderr: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), "lanvault-chaos-pcap-"))
  const file = join(dir, "sync.pcap")
  // --immediate-mode: no packet waits in a kernel block; -U: each written at once; -s 0: whole packets; -n: no lookups.
  const child = spawn("tcpdump", ["-i", bridge, "-w", file, "--immediate-mode", "-U", "-s", "0", "-n"], { stdio: ["ignore", "ignore", "pipe"] })
  let stderr = ""
  child.stderr!.on("data", (chunk) => (stderr += chunk))
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`tcpdump could not start (Debian: apt-get install tcpdump): ${error.message}`)))
    child.once("spawn", () => resolve())
  })
  await spawned
  await waitFor(() => stderr.includes("listening on") || child.exitCode !== null, "tcpdump to listen")
  if (child.exitCode !== null) throw new Error(`tcpdump exited: ${stderr}`)
  return { child, file, dir, stderr: () => stderr }
}

async function stopCapture(capture: { child: ChildProcess; file: string; stderr: () => string }): Promise<Buffer> {
  const exited = new Promise((resolve) => capture.child.once("exit", resolve))
  await sleep(CAPTURE_DRAIN_MS)
  capture.child.kill("SIGINT")
  await exited
  log(`no-plaintext: tcpdump: ${capture.stderr().replace(/\s+/g, " ").trim()}`)
  return readFileSync(capture.file)
}

/** Packets of a capture file matching a tcpdump filter. */
function countPackets(file: string, filter: string): number {
  const result = spawnSync("tcpdump", ["-r", file, "-n", filter], { encoding: "utf8" })
  return result.stdout.split("\n").filter((line) => line.trim() !== "").length
}
