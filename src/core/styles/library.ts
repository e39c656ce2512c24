import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { StyleConflictError, StyleFileMissingError, StyleNotFoundError, StyleStorageError } from "./errors"
import { type StyleInput, styleFileText } from "./file-text"
import {
  compareNames,
  decodeUtf8,
  errorCode,
  reason,
  type Style,
  StyleScanner,
  type StyleSnapshot,
  type WarningLog,
} from "./scanner"

export interface StyleLibraryOptions {
  /** The styles directory (`IMAGE_GENERATION_MCP_STYLES_DIR`); created when first needed. */
  dir: string
  log?: WarningLog
}

/**
 * The style library: `*.md` files with front-matter in one directory. Nothing is held in memory between calls
 * (beyond a parse cache), so saves, deletes and edits made by hand are all seen by the next call.
 */
export class StyleLibrary {
  readonly dir: string
  private readonly scanner: StyleScanner
  private writes: Promise<unknown> = Promise.resolve()

  constructor(opts: StyleLibraryOptions) {
    this.dir = resolve(opts.dir)
    this.scanner = new StyleScanner(this.dir, opts.log)
  }

  /** All styles, sorted by name. */
  async list(): Promise<Style[]> {
    const { styles } = await this.scanner.scan()
    return [...styles.values()].sort((a, b) => compareNames(a.name, b.name))
  }

  /** Style names, sorted (for argument completion). */
  async names(): Promise<string[]> {
    return [...(await this.scanner.scan()).styles.keys()].sort(compareNames)
  }

  async get(name: string): Promise<Style | undefined> {
    return (await this.scanner.scan()).styles.get(name)
  }

  /** The style's file exactly as it is on disk, front-matter included. */
  async readRaw(name: string): Promise<string> {
    const style = await this.get(name)
    if (!style) throw new StyleNotFoundError(name)
    const bytes = await readFile(style.file).catch((error: unknown) => {
      if (errorCode(error) === "ENOENT") throw new StyleFileMissingError(name, { cause: error })
      throw new StyleStorageError(`Could not read style '${name}': ${reason(error)}`, { cause: error })
    })
    const text = decodeUtf8(bytes)
    if (text === undefined) throw new StyleStorageError(`Style file for '${name}' is not valid UTF-8 text.`)
    return text
  }

  /**
   * Writes a style atomically (temp file in the same directory, then rename). An existing style is rewritten in the
   * file that holds it; a new one goes to `<name>.md`, unless that file exists and defines something else.
   */
  async save(input: StyleInput): Promise<{ name: string; created: boolean }> {
    const text = styleFileText(input)
    return this.exclusive(async () => {
      const snapshot = await this.scanner.scan()
      const holder = snapshot.styles.get(input.name)
      const target = holder?.file ?? (await this.newFile(input.name, snapshot))
      await this.writeAtomic(input.name, target, text)
      return { name: input.name, created: !holder }
    })
  }

  /** Removes every file that defines the style, so an older duplicate cannot take its place. */
  delete(name: string): Promise<void> {
    return this.exclusive(async () => {
      const holders = (await this.scanner.scan()).holders.get(name)
      if (!holders) throw new StyleNotFoundError(name)
      for (const style of holders) {
        await rm(style.file, { force: true }).catch((error: unknown) => {
          throw new StyleStorageError(`Could not delete style '${name}': ${reason(error)}`, { cause: error })
        })
      }
    })
  }

  private async newFile(name: string, snapshot: StyleSnapshot): Promise<string> {
    const target = resolve(this.dir, `${name}.md`)
    // The name pattern already rules this out; checked again on the final path.
    if (dirname(target) !== this.dir) throw new StyleConflictError(`Style name '${name}' leaves the styles directory.`)
    const existing = await stat(target).catch(() => undefined)
    if (!existing?.isFile()) return target
    const other = [...snapshot.styles.values()].find((s) => s.file === target)
    const holds = other ? `style '${other.name}'` : "no valid style"
    throw new StyleConflictError(
      `Cannot save style '${name}': ${basename(target)} already exists and holds ${holds}. Rename or remove that file, or choose another name.`,
    )
  }

  private async writeAtomic(name: string, target: string, text: string): Promise<void> {
    const temp = join(this.dir, `.${name}_${crypto.randomUUID().slice(0, 8)}.tmp`)
    try {
      await mkdir(this.dir, { recursive: true })
      await writeFile(temp, text, { flag: "wx" })
      await rename(temp, target)
    } catch (error) {
      await rm(temp, { force: true })
      throw new StyleStorageError(`Could not save style '${name}': ${reason(error)}`, { cause: error })
    }
  }

  /** Saves and deletes run one at a time, so two writers never pick targets from the same stale scan. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.writes.then(task, task)
    this.writes = run.catch(() => {})
    return run
  }
}
