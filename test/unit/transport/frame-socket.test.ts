import { MemoryFrameSocket } from "../../../src/transport/memory-socket.js"
import { dialWs } from "../../../src/transport/ws-dial.js"
import { WsListener } from "../../../src/transport/ws-transport.js"
import type { WsFrameSocket } from "../../../src/transport/ws-frame-socket.js"
import { runFrameSocketContract } from "./frame-socket-contract.js"

runFrameSocketContract("MemoryFrameSocket", async () => {
  const [a, b] = MemoryFrameSocket.pair()
  return { a, b, cleanup: () => undefined }
})

runFrameSocketContract("WsFrameSocket over 127.0.0.1", async () => {
  const listener = new WsListener({ host: "127.0.0.1", port: 0 })
  const accepted = new Promise<WsFrameSocket>((resolve) => listener.on("connection", ({ socket }) => resolve(socket)))
  await listener.start()
  const a = await dialWs("127.0.0.1", listener.port)
  const b = await accepted
  return { a, b, cleanup: () => listener.stop() }
})
