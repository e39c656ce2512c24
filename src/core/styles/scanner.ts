import { mkdir, readdir, readFile, stat } from "node:fs/promises"
import { basename, join } from "node:path"
import { StyleStorageError } from "./errors"
import { type ParsedStyle, parseStyleText, type StyleFields } from "./front-matter"

/** A style as the library sees it now. */
export interface Style extends StyleFields {
  /** Absolute path of the file that defines it (its name need not match the style's). */
  file: string
}

export interface StyleSnapshot {
  /** Name → the winning style: the last file, by filename, that defines it. */
  styles: Map<string, Style>
  /** Name → every file that defines it, in filename order. */
  holders: Map<string, Style[]>
}

export type WarningLog = { warning(message: string, fields?: Record<string, unknown>): void }

const UTF8 = new TextDecoder("utf-8", { fatal: true })

/**
 * Reads a styles directory on every call. Each file is parsed again only when its inode, size or timestamps
 * change, and each problem (skipped file, duplicate name) is logged once, when it first appears.
 */
export class StyleScanner {
  private readonly parsed = new Map<string, { key: string; result: ParsedStyle }>()
  private warned = new Set<string>()
  private readonly dir: string
  private readonly log: WarningLog | undefined

  constructor(dir: string, log?: WarningLog) {
    this.dir = dir
    this.log = log
  }

  async scan(): Promise<StyleSnapshot> {
    const filenames = await this.listFiles()
    const results = await Promise.all(filenames.map((f) => this.parseFile(join(this.dir, f))))
    const snapshot: StyleSnapshot = { styles: new Map(), holders: new Map() }
    const warnings: string[] = []
    for (const [i, filename] of filenames.entries()) {
      const result = results[i]
      if (!result) continue
      if (!result.ok) {
        warnings.push(`Skipping style file ${filename}: ${result.problem}`)
        continue
      }
      const style = { ...result.style, file: join(this.dir, filename) }
      const previous = snapshot.styles.get(style.name)
      if (previous) {
        warnings.push(
          `Style '${style.name}' is defined in ${basename(previous.file)} and ${filename}; ${filename} wins`,
        )
      }
      snapshot.styles.set(style.name, style)
      snapshot.holders.set(style.name, [...(snapshot.holders.get(style.name) ?? []), style])
    }
    const present = new Set(filenames.map((f) => join(this.dir, f)))
    for (const file of this.parsed.keys()) if (!present.has(file)) this.parsed.delete(file)
    this.report(warnings)
    return snapshot
  }

  private async listFiles(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => f.endsWith(".md")).sort(compareNames)
    } catch (error) {
      if (errorCode(error) !== "ENOENT") {
        throw new StyleStorageError(`Could not read the styles directory: ${reason(error)}`, { cause: error })
      }
      await mkdir(this.dir, { recursive: true })
      return []
    }
  }

  /** Undefined when the entry is not a regular file, or vanished while being read. */
  private async parseFile(file: string): Promise<ParsedStyle | undefined> {
    const info = await stat(file).catch(() => undefined)
    if (!info?.isFile()) return undefined
    const key = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`
    const cached = this.parsed.get(file)
    if (cached?.key === key) return cached.result
    const bytes = await readFile(file).catch((error: unknown) => error)
    if (!(bytes instanceof Uint8Array)) {
      if (errorCode(bytes) === "ENOENT") return undefined
      return { ok: false, problem: `it could not be read (${reason(bytes)})` }
    }
    const text = decodeUtf8(bytes)
    const result: ParsedStyle =
      text === undefined ? { ok: false, problem: "it is not valid UTF-8 text" } : parseStyleText(text)
    this.parsed.set(file, { key, result })
    return result
  }

  private report(warnings: string[]): void {
    for (const message of warnings) if (!this.warned.has(message)) this.log?.warning(message, { dir: this.dir })
    this.warned = new Set(warnings)
  }
}

/** UTF-8 text without a leading byte-order mark; undefined for invalid bytes. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes)
  } catch {
    return undefined
  }
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error ? String(error.code) : undefined
}

/** A short cause for messages: the errno code (no server paths), else the message. */
export function reason(error: unknown): string {
  return errorCode(error) ?? (error instanceof Error ? error.message : String(error))
}
