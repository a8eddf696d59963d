/**
 * Splits a byte stream of concatenated JSON objects into one string each (pure).
 * keepassxc-proxy writes each native message to the socket as it is, with no
 * framing, so two requests can arrive in one read and one request in several.
 * Tracks braces outside strings; anything outside an object (other than
 * whitespace) or an object over the size limit is an error for the caller.
 */
export class JsonObjectSplitter {
  private pending = ""
  private depth = 0
  private inString = false
  private escaped = false
  private scanned = 0

  constructor(private readonly maxObjectChars: number) {}

  /** Feeds text; returns the complete objects, or throws RangeError (too large) / SyntaxError (not an object). */
  push(text: string): string[] {
    this.pending += text
    const objects: string[] = []
    let start = 0
    for (let i = this.scanned; i < this.pending.length; i++) {
      const char = this.pending[i]
      if (this.depth === 0) {
        if (char === "{") {
          start = i
          this.depth = 1
        } else if (!/\s/.test(char)) {
          throw new SyntaxError("not a JSON object")
        }
        continue
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (char === "\\") this.escaped = true
        else if (char === '"') this.inString = false
      } else if (char === '"') {
        this.inString = true
      } else if (char === "{" || char === "[") {
        this.depth++
      } else if (char === "}" || char === "]") {
        this.depth--
        if (this.depth === 0) {
          objects.push(this.pending.slice(start, i + 1))
          this.pending = this.pending.slice(i + 1)
          i = -1
          start = 0
        }
      }
      if (this.depth > 0 && i - start + 1 > this.maxObjectChars) throw new RangeError("JSON object too large")
    }
    if (this.depth === 0) this.pending = ""
    else if (start > 0) this.pending = this.pending.slice(start)
    this.scanned = this.pending.length
    return objects
  }
}
