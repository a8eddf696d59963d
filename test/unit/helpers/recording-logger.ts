import type { Logger } from "../../../src/log.js"

/** One line a {@link recordingLogger} kept. */
export interface LogLine {
  level: "debug" | "info" | "warn" | "error"
  message: string
  fields: Record<string, unknown>
}

/** A logger that keeps every line, for asserting warnings and their codes. */
export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at = (level: LogLine["level"]) => (message: string, fields: Record<string, unknown> = {}) => {
    lines.push({ level, message, fields })
  }
  const logger = { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => logger }
  return logger
}
