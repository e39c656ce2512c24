import { writeSync } from "node:fs"
import { isatty } from "node:tty"
import { redact, redactDeep } from "./redact"

export const LOG_LEVELS = ["debug", "info", "warning", "error", "critical"] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

type Fields = Record<string, unknown>
type Sink = (line: string) => void

// Plain fd writes: touching process.stderr builds a stream object, which costs start-up ~10 ms under Bun.
const state: { level: number; json: boolean; sink: Sink } = {
  level: 1,
  json: !isatty(2),
  sink: (line) => {
    writeSync(2, `${line}\n`)
  },
}

/** Whether stderr is a terminal (text logs) rather than a pipe or file (JSON lines). */
export function stderrIsTerminal(): boolean {
  return isatty(2)
}

/** Configures the process logger. Logs go to stderr only: stdout is the JSON-RPC channel on stdio. */
export function configureLogger(opts: { level?: LogLevel; json?: boolean; sink?: Sink }): void {
  if (opts.level) state.level = LOG_LEVELS.indexOf(opts.level)
  if (opts.json !== undefined) state.json = opts.json
  if (opts.sink) state.sink = opts.sink
}

function emit(level: LogLevel, name: string, message: string, fields?: Fields): void {
  if (LOG_LEVELS.indexOf(level) < state.level) return
  try {
    write(level, name, redact(message), fields && (redactDeep(fields) as Fields))
  } catch {
    // Logging must never break the caller.
  }
}

function write(level: LogLevel, name: string, text: string, extra?: Fields): void {
  if (state.json) {
    state.sink(JSON.stringify({ time: new Date().toISOString(), level, logger: name, message: text, ...extra }))
    return
  }
  const tail = extra
    ? ` ${Object.entries(extra)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ")}`
    : ""
  state.sink(`${level.toUpperCase()} ${name}: ${text}${tail}`)
}

export type Logger = Record<LogLevel, (message: string, fields?: Fields) => void>

/** A named logger, e.g. `createLogger("jobs")`. */
export function createLogger(name: string): Logger {
  return {
    debug: (m, f) => emit("debug", name, m, f),
    info: (m, f) => emit("info", name, m, f),
    warning: (m, f) => emit("warning", name, m, f),
    error: (m, f) => emit("error", name, m, f),
    critical: (m, f) => emit("critical", name, m, f),
  }
}
