import { createConnection } from "node:net"
import { JsonObjectSplitter } from "./json-stream.js"
import { encodeNativeMessage, NativeMessageReader, NATIVE_MESSAGE_MAX_BYTES } from "./native-messaging.js"
import { browserSocketPaths } from "./socket-paths.js"

/**
 * lanvault's native-messaging host (what keepassxc-proxy does, for machines
 * without KeePassXC): the browser starts it with stdio pipes; it connects to
 * the browser socket and relays framed messages from stdin as JSON to the
 * socket, and each JSON object from the socket as one framed message to
 * stdout (so two replies never merge into one). It ends when either side does.
 */
export function runRelay(
  io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream } = process,
  socketPath: string = browserSocketPaths().socket,
): Promise<void> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath)
    const reader = new NativeMessageReader()
    const splitter = new JsonObjectSplitter(NATIVE_MESSAGE_MAX_BYTES)
    let done = false
    const finish = () => {
      if (done) return
      done = true
      socket.destroy()
      io.stdin.removeListener("data", fromBrowser)
      resolve()
    }
    const fromBrowser = (chunk: Buffer) => {
      try {
        for (const message of reader.push(chunk)) socket.write(message)
      } catch {
        finish()
      }
    }
    socket.setEncoding("utf8")
    socket.on("data", (text: string) => {
      try {
        for (const object of splitter.push(text)) io.stdout.write(encodeNativeMessage(object))
      } catch {
        finish()
      }
    })
    socket.on("error", finish)
    socket.on("close", finish)
    io.stdin.on("data", fromBrowser)
    io.stdin.on("end", finish)
  })
}
