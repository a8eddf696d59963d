#!/usr/bin/env node
// lanvault's native-messaging host for KeePassXC-Browser: relays the browser's
// stdio to the daemon's browser socket (see src/browser/relay.ts).
import { runRelay } from "../dist/browser/relay.js"

await runRelay()
process.exit(0)
