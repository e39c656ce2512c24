import { readFile } from "node:fs/promises"
import { ConfigError } from "@/config/config"

export interface TomlSource {
  /** The env var that named the file, for messages. */
  setting: string
  path: string
  /**
   * Whether the parser's message may be quoted. The TOML parser quotes keys and values ("Cannot redefine
   * key 'abc'"), so for a file of secrets only the line number is given.
   */
  quoteParseErrors: boolean
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: "does not exist",
  EACCES: "cannot be read (permission denied)",
  EISDIR: "is a directory, not a file",
}

/** A start-up error naming the setting and file: `IMAGE_GENERATION_MCP_X (/etc/f.toml): <problem>.` */
export function fileError(source: TomlSource, problem: string): ConfigError {
  return new ConfigError(`${source.setting} (${source.path}): ${problem}.`)
}

/** Reads the file and returns its non-empty `[name]` table; any failure is a `ConfigError` naming the problem. */
export async function readTomlTable(source: TomlSource, name: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(source.path, "utf8")
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ""
    throw fileError(source, `the file ${READ_ERRORS[code] ?? `cannot be read (${code || "unknown error"})`}`)
  }
  let doc: object
  try {
    doc = Bun.TOML.parse(text)
  } catch (error) {
    throw fileError(source, parseProblem(error, source.quoteParseErrors))
  }
  const table = (doc as Record<string, unknown>)[name]
  if (table === undefined) throw fileError(source, `no [${name}] table`)
  if (!isTable(table)) throw fileError(source, `'${name}' must be a table ([${name}]), not a single value`)
  if (Object.keys(table).length === 0) throw fileError(source, `the [${name}] table is empty`)
  return table
}

/** A TOML table as parsed: a plain object (arrays and date-times are objects too, but not tables). */
export function isTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** The parser's own words (it reports no line number), or nothing for a file of secrets. */
function parseProblem(error: unknown, quote: boolean): string {
  if (!quote || !(error instanceof Error)) return "not valid TOML"
  return `not valid TOML: ${error.message.replace(/^TOML Parse error:\s*/, "")}`
}
