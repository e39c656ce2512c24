import type { BlobBody, BlobStore, ImageListQuery, ImageRecord, ImageStore, Iteration, Origin } from "@/storage"
import { AppError, ImageNotFoundError, InternalError, InvalidImageError, MetadataMissingError } from "../errors"
import { isoTimestamp, nowSeconds } from "../time"
import { verifyImage } from "../transform/probe"
import { contentImageId, originalFilename, sidecarFilename } from "./ids"
import { sweepOrphans } from "./orphans"
import { canonicalOrigin, sidecarJson } from "./sidecar"

/** After a commit failed with the database unreachable, how often (growing to the cap) and how many times to retry the cleanup. */
const SETTLE_FIRST_DELAY_MS = 1000
const SETTLE_MAX_DELAY_MS = 10_000
const SETTLE_ATTEMPTS = 60

/** The formats the gallery stores; the detected type replaces the one a caller claims. */
const STORED_TYPES = new Set(["image/png", "image/jpeg", "image/webp"])

/** What a caller supplies to add an image to the gallery; generations add their iteration fields. */
export interface NewImage extends Iteration {
  bytes: Uint8Array
  contentType: string
  prompt: string
  negativePrompt?: string | null
  provider: string
  aspectRatio: string
  quality: string
  background: string
  providerMetadata?: Record<string, unknown>
  sourceImageIds?: string[]
  origin?: Origin
  originSource?: string | null
  /** Pre-allocated id (generations); content-addressed when absent. */
  id?: string
}

export interface ImageRegistryOptions {
  store: ImageStore
  blobs: BlobStore
  maxInputPixels: number
  /** Called after an image is deleted (e.g. to evict cached transforms). */
  onDelete?: (id: string) => void
  /** Told what could not be cleaned up (the image itself is fine). */
  warn?: (message: string, fields?: Record<string, unknown>) => void
}

/** Told about every image once it is stored (generations, edits, imports), with its bytes. Must return at once. */
export type StoredListener = (record: ImageRecord, bytes: Uint8Array) => void

/** The gallery: metadata rows in the store (the source of truth), bytes and sidecars in the blob store. */
export class ImageRegistry {
  private readonly opts: ImageRegistryOptions
  private readonly storedListeners = new Set<StoredListener>()
  /** Bytes of records `prepare` wrote and `commit` has not yet stored, for the stored listeners. */
  private readonly preparedBytes = new WeakMap<ImageRecord, Uint8Array>()

  constructor(opts: ImageRegistryOptions) {
    this.opts = opts
  }

  /** Validates, writes the original and its sidecar, and returns the record to persist. Cleans up on failure. */
  async prepare(input: NewImage): Promise<ImageRecord> {
    if (input.origin === "imported" && !input.originSource) {
      throw new InternalError("missing_origin_source", "An imported image needs a non-empty origin_source.")
    }
    const info = await verifyImage(input.bytes, this.opts.maxInputPixels, "image")
    if (!STORED_TYPES.has(info.contentType)) {
      throw new InvalidImageError(
        `The image is ${info.format.toUpperCase()}; only PNG, JPEG and WebP images are stored.`,
      )
    }
    const id = input.id ?? contentImageId(input.bytes)
    const contentType = info.contentType
    const created = nowSeconds()
    const record: ImageRecord = {
      id,
      prompt: input.prompt,
      negativePrompt: input.negativePrompt ?? null,
      provider: input.provider,
      aspectRatio: input.aspectRatio,
      quality: input.quality,
      background: input.background,
      contentType,
      originalFilename: originalFilename(id, contentType),
      originalSizeBytes: input.bytes.length,
      width: info.width,
      height: info.height,
      providerMetadata: input.providerMetadata ?? {},
      createdAt: isoTimestamp(created),
      createdEpoch: created,
      sourceImageIds: input.sourceImageIds ?? [],
      ...canonicalOrigin(input.origin, input.originSource),
      ...(input.request && {
        seed: input.seed ?? null,
        batchId: input.batchId ?? null,
        batchIndex: input.batchIndex ?? null,
        regeneratedFrom: input.regeneratedFrom ?? null,
        request: input.request,
      }),
    }
    await this.writeFiles(record, input.bytes)
    this.preparedBytes.set(record, input.bytes)
    return record
  }

  /** Adds an image now (edits, imports). Generations persist through the job store instead. */
  async register(input: NewImage): Promise<ImageRecord> {
    const record = await this.prepare(input)
    await this.commit(record, () => this.opts.store.upsert(record))
    return record
  }

  /** Runs `persist`; if it fails, undoes what `prepare` wrote so files and rows keep agreeing. */
  async commit(record: ImageRecord, persist: () => Promise<void>): Promise<void> {
    const bytes = this.preparedBytes.get(record)
    this.preparedBytes.delete(record)
    try {
      await persist()
    } catch (error) {
      // Whatever row stands now (an earlier import of the same bytes, or a commit that landed unseen) keeps its
      // files; unreadable (the database is down): decided once it answers.
      const stored = await this.opts.store.get(record.id).then(
        (row) => ({ row }),
        () => undefined,
      )
      if (!stored) this.settleLater(record)
      else await this.settle(record, stored.row)
      throw error
    }
    if (!bytes) return
    for (const listener of this.storedListeners) {
      try {
        listener(record, bytes)
      } catch {
        // The image is stored; a listener's failure must not turn that into an error.
      }
    }
  }

  /** Registers `listener` for every image stored from now on; returns the function that unregisters it. */
  onStored(listener: StoredListener): () => void {
    this.storedListeners.add(listener)
    return () => this.storedListeners.delete(listener)
  }

  get(id: string): Promise<ImageRecord | undefined> {
    return this.opts.store.get(id)
  }

  async require(id: string): Promise<ImageRecord> {
    const record = await this.opts.store.get(id)
    if (!record) throw new ImageNotFoundError(id)
    return record
  }

  /** The images of a batch, by their place in it. */
  listBatch(batchId: string): Promise<ImageRecord[]> {
    return this.opts.store.listBatch(batchId)
  }

  list(query?: ImageListQuery): Promise<ImageRecord[]> {
    return this.opts.store.list(query)
  }

  count(query?: Pick<ImageListQuery, "origin">): Promise<number> {
    return this.opts.store.count(query)
  }

  /**
   * The original's bytes; `into` lends a buffer to read into (see `BlobStore.read`). A blob store that cannot be
   * reached fails as itself (`unavailable`): only a missing or unreadable object is "not found".
   */
  async readOriginal(record: ImageRecord, into?: (size: number) => Uint8Array): Promise<Uint8Array> {
    try {
      return await this.opts.blobs.read(record.originalFilename, into)
    } catch (error) {
      throw unlessUnavailable(error, () => new ImageNotFoundError(record.id, { cause: error }))
    }
  }

  /** The original's size and a body read only as it is sent (downloads), with `readOriginal`'s errors. */
  async openOriginal(record: ImageRecord): Promise<BlobBody> {
    try {
      return await this.opts.blobs.stream(record.originalFilename)
    } catch (error) {
      throw unlessUnavailable(error, () => new ImageNotFoundError(record.id, { cause: error }))
    }
  }

  /** The sidecar text exactly as stored. */
  async readSidecar(id: string): Promise<string> {
    await this.require(id)
    try {
      return await this.opts.blobs.readText(sidecarFilename(id))
    } catch (error) {
      throw unlessUnavailable(error, () => new MetadataMissingError(id, { cause: error }))
    }
  }

  /**
   * The row goes first, then the objects: a listed image always has its original. Objects that cannot be removed
   * now (the store is down) are left to the orphan sweep; the image is deleted all the same.
   */
  async delete(id: string): Promise<ImageRecord> {
    const record = await this.require(id)
    await this.opts.store.delete(id)
    this.opts.onDelete?.(id)
    await this.removeFiles(record).catch((error) =>
      this.opts.warn?.("A deleted image's objects are left for the orphan sweep", { image_id: id, error }),
    )
    return record
  }

  /** Removes the objects older than `graceS` whose image row never committed (see `sweepOrphans`). */
  sweepOrphans(graceS?: number, now?: () => number): Promise<string[]> {
    return sweepOrphans({ blobs: this.opts.blobs, images: this.opts.store, graceS, now })
  }

  private async writeFiles(record: ImageRecord, bytes: Uint8Array): Promise<void> {
    const { blobs } = this.opts
    // Both at once: neither is listed before the row commits (docs/decisions.md#orphan-objects).
    const [original, sidecar] = await Promise.allSettled([
      blobs.write(record.originalFilename, bytes),
      blobs.write(sidecarFilename(record.id), sidecarJson(record)),
    ])
    const failed = [original, sidecar].find((outcome) => outcome.status === "rejected")
    if (!failed) return
    if (!(await this.opts.store.get(record.id))) await this.removeFiles(record)
    throw failed.reason
  }

  /** Files and row agree again: a stored row gets its own sidecar back (same id, same bytes); no row, no files. */
  private async settle(record: ImageRecord, stored: ImageRecord | undefined): Promise<void> {
    if (stored) await this.opts.blobs.write(sidecarFilename(stored.id), sidecarJson(stored)).catch(() => {})
    else await this.removeFiles(record)
  }

  /** `settle` once the row can be read again, retried in the background (a commit may even have landed unseen). */
  private settleLater(record: ImageRecord, attempt = 0): void {
    const delay = Math.min(SETTLE_FIRST_DELAY_MS * 2 ** attempt, SETTLE_MAX_DELAY_MS)
    const retry = async () => {
      const stored = await this.opts.store.get(record.id).then(
        (row) => ({ row }),
        () => undefined,
      )
      if (stored) await this.settle(record, stored.row).catch(() => {})
      else if (attempt + 1 < SETTLE_ATTEMPTS) this.settleLater(record, attempt + 1)
    }
    setTimeout(() => void retry(), delay).unref()
  }

  private async removeFiles(record: ImageRecord): Promise<void> {
    await this.opts.blobs.remove(record.originalFilename)
    await this.opts.blobs.remove(sidecarFilename(record.id))
  }
}

/** A blob store that cannot be reached right now stays `unavailable`; any other read failure becomes `missing()`. */
function unlessUnavailable(error: unknown, missing: () => AppError): AppError {
  return error instanceof AppError && error.kind === "unavailable" ? error : missing()
}
