import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import type { BlobStore, ImageRecord, ImageStore } from "@/storage"
import { pauseForTest } from "@/util/test-pause"
import { sidecarFilename } from "./ids"
import { parseSidecar, SidecarError } from "./sidecar"

export interface ScratchImportResult {
  imported: number
  skipped: { file: string; reason: string }[]
  /** The signal aborted before every sidecar was read; running the import again finishes it. */
  stopped: boolean
}

export interface ScratchImportOptions {
  /** The directory holding `<id>.json` sidecars and `<id>-original.<ext>` files. */
  source: string
  /** The server's scratch dir; files are copied there when `source` is elsewhere. */
  scratchDir: string
  /** An image store that is not the scratch dir (S3): every original and sidecar is copied into it instead. */
  blobs?: BlobStore
  store: ImageStore
  warn?: (message: string) => void
  /** Stops the import between two sidecars: what was read so far is stored, the rest is left for the next run. */
  signal?: AbortSignal
}

const BATCH = 500

/**
 * Imports a scratch dir written by this server or the Python one into the registry. Corrupt sidecars and sidecars
 * whose original is missing are skipped with a warning. Records with an id already present are replaced.
 */
export async function importScratchDir(opts: ScratchImportOptions): Promise<ScratchImportResult> {
  const result: ScratchImportResult = { imported: 0, skipped: [], stopped: false }
  if (opts.signal?.aborted) return { ...result, stopped: true }
  const names = await readdir(opts.source).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[]
    throw error
  })
  const sidecars = names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort()
  const sizes = new Map<string, number>()
  await Promise.all(
    names.map(async (n) => {
      if (!n.includes("-original")) return
      const info = await stat(join(opts.source, n)).catch(() => undefined)
      if (info?.isFile()) sizes.set(n, info.size)
    }),
  )
  const copying = resolve(opts.source) !== resolve(opts.scratchDir)
  if (copying && !opts.blobs) await mkdir(opts.scratchDir, { recursive: true })

  let batch: ImageRecord[] = []
  for (const file of sidecars) {
    if (opts.signal?.aborted) {
      result.stopped = true
      break
    }
    let record: ImageRecord
    try {
      const text = await readFile(join(opts.source, file), "utf8")
      record = parseSidecar(text, (name) => sizes.get(name))
      if (file !== sidecarFilename(record.id))
        throw new SidecarError(`the file name does not match the image id ${record.id}`)
      if (opts.blobs) {
        // The original before the sidecar and both before the row, as the gallery writes them.
        await opts.blobs.write(record.originalFilename, await readFile(join(opts.source, record.originalFilename)))
        await opts.blobs.write(sidecarFilename(record.id), text)
      } else if (copying) {
        await copyAtomically(join(opts.source, record.originalFilename), join(opts.scratchDir, record.originalFilename))
        await copyAtomically(join(opts.source, file), join(opts.scratchDir, sidecarFilename(record.id)))
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      result.skipped.push({ file, reason })
      opts.warn?.(`Skipping sidecar ${file}: ${reason}`)
      continue
    }
    batch.push(record)
    if (batch.length >= BATCH) {
      result.imported += await opts.store.insertMany(batch)
      batch = []
      pauseForTest("scratch-import")
    }
  }
  if (batch.length) result.imported += await opts.store.insertMany(batch)
  return result
}

async function copyAtomically(from: string, to: string): Promise<void> {
  const temp = join(dirname(to), `.${basename(to)}.${crypto.randomUUID().slice(0, 8)}.tmp`)
  try {
    await copyFile(from, temp)
    await rename(temp, to)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}
