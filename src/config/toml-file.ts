import { readFile } from "node:fs/promises"
import { ConfigError } from "./reader"

const READ_ERRORS: Record<string, string> = {
  ENOENT: "does not exist",
  EACCES: "cannot be read (permission denied)",
  EISDIR: "is a directory, not a file",
}

/** A start-up error naming the setting and the file: `IMAGE_GENERATION_MCP_X (/etc/f.toml): <problem>.` */
export function tomlFileError(setting: string, path: string, problem: string): ConfigError {
  return new ConfigError(`${setting} (${path}): ${problem}.`)
}

/**
 * Reads and parses a TOML settings file (with Bun.TOML). A file that cannot be read or parsed is a `ConfigError`
 * naming the setting, the file and, for a parse error, the line and the parser's reason.
 */
export async function readTomlFile(setting: string, path: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ""
    throw tomlFileError(setting, path, `the file ${READ_ERRORS[code] ?? `cannot be read (${code || "unknown error"})`}`)
  }
  try {
    return Bun.TOML.parse(text) as Record<string, unknown>
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^TOML Parse error:\s*/, "") : String(error)
    throw tomlFileError(setting, path, `not valid TOML at line ${failingLine(text, reason)}: ${reason}`)
  }
}

/**
 * The line a parse error is on. Bun's error carries no position in the TOML text, so the file is parsed line by line
 * longer: the first prefix that fails for the same reason ends on the line at fault (a multi-line value that is never
 * closed is reported at the line that opens it).
 */
export function failingLine(text: string, reason: string): number {
  const lines = text.split("\n")
  for (let end = 1; end <= lines.length; end++) {
    try {
      Bun.TOML.parse(`${lines.slice(0, end).join("\n")}\n`)
    } catch (error) {
      if (error instanceof Error && error.message.endsWith(reason)) return end
    }
  }
  return lines.length
}

/** A TOML table as parsed: a plain object (arrays and date-times are objects too, but not tables). */
export function isTomlTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
