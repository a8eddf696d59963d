/** Between two progress events (`import.progress`, `work.progress`) at least this long passes; the last one always goes. */
export const PROGRESS_EVERY_MS = 100

/** A `(done, total)` report passed on at most every PROGRESS_EVERY_MS, and always when `done` reaches `total`. */
export function paced(report: (done: number, total: number) => void, now: () => number = Date.now): (done: number, total: number) => void {
  let last = -Infinity
  return (done, total) => {
    const at = now()
    if (done < total && at - last < PROGRESS_EVERY_MS) return
    last = at
    report(done, total)
  }
}
