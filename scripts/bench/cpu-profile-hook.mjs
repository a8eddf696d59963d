// Loaded into a daemon with NODE_OPTIONS="--import <this file>" (Node 20 refuses
// --cpu-prof in NODE_OPTIONS): profiles the whole process with the in-process
// inspector and writes <dir>/<pid>.cpuprofile at exit, dir from
// LANVAULT_BENCH_PROFILE_DIR. The in-process session answers synchronously, so
// writing from the 'exit' handler works. Not written after SIGKILL.
import { mkdirSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import { join } from "node:path"

const SAMPLING_INTERVAL_US = 1_000
const dir = process.env.LANVAULT_BENCH_PROFILE_DIR

if (dir) {
  const session = new Session()
  session.connect()
  session.post("Profiler.enable")
  session.post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US })
  session.post("Profiler.start")
  process.once("exit", () => {
    session.post("Profiler.stop", (error, result) => {
      if (error) return
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile))
    })
  })
}
