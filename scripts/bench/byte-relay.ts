/**
 * A TCP relay on 127.0.0.1 that counts every byte both ways, like the wire tap in
 * test/e2e/two-devices.test.ts: what two devices send each other on the LAN.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net"

export class ByteRelay {
  private bytes = 0
  private readonly sockets = new Set<Socket>()

  private constructor(private readonly server: Server, readonly port: number) {}

  /** Listens on a free loopback port and forwards every connection to `targetPort`. */
  static async start(targetPort: number): Promise<ByteRelay> {
    let relay: ByteRelay | undefined
    const server = createServer((inbound) => relay?.pipe(inbound, targetPort))
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(0, "127.0.0.1", resolve)
    })
    const address = server.address()
    relay = new ByteRelay(server, typeof address === "object" && address ? address.port : 0)
    return relay
  }

  /** Bytes relayed so far, both directions. */
  get total(): number {
    return this.bytes
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private pipe(inbound: Socket, targetPort: number): void {
    const outbound = createConnection(targetPort, "127.0.0.1")
    for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
      this.sockets.add(from)
      from.setNoDelay(true)
      from.on("data", (chunk: Buffer) => {
        this.bytes += chunk.length
        to.write(chunk)
      })
      from.on("close", () => {
        this.sockets.delete(from)
        to.destroy()
      })
      from.on("error", () => to.destroy())
    }
  }
}
