#!/usr/bin/env node
// The package's bin: runs the compiled CLI (built by `npm install` / `npm run build`).
// A daemon gets its heap settings first, then only the daemon command's modules (dist/cli/daemon-heap.js, daemon-main.js).
import { runsDaemon, useDaemonHeap } from "../dist/cli/daemon-heap.js"

const argv = process.argv.slice(2)
const daemon = runsDaemon(argv)
if (daemon) useDaemonHeap()
const run = daemon ? (await import("../dist/cli/daemon-main.js")).mainDaemon : (await import("../dist/cli/main.js")).main
process.exitCode = await run(argv)
