import { createServer } from "node:net"

/** The address daemons listen on by default (all IPv4 interfaces): a port must be free there. */
const PROBE_HOST = "0.0.0.0"

/** A TCP port free right now (the OS picks it); the demo hands it to a daemon's `--port`. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, PROBE_HOST, () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
