#!/usr/bin/env node
// The package's bin: runs the compiled CLI (built by `npm install` / `npm run build`).
// A daemon's heap settings come first, before the CLI's modules load (dist/cli/daemon-heap.js says why).
import { runsDaemon, useDaemonHeap } from "../dist/cli/daemon-heap.js"

const argv = process.argv.slice(2)
if (runsDaemon(argv)) useDaemonHeap()
const { main } = await import("../dist/cli/main.js")
process.exitCode = await main(argv)
