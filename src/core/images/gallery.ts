import type { ImageSearchQuery, ImageStore, JobRecord, Origin } from "@/storage"
import { createLogger } from "@/util/log"
import { galleryImageItem, galleryJobItem } from "./items"
import type { ImageRegistry } from "./registry"
import { promptMatches, requireWords } from "./search"
import type { ImageViews } from "./views"

export type GalleryOrigin = Origin | "all"

export const GALLERY_PAGE_SIZE = 12
export const GALLERY_MAX_PAGE_SIZE = 24
/** Originals above this go to the lightbox as a 1024 px-wide WebP. */
export const FULL_IMAGE_MAX_BYTES = 1_048_576
export const FULL_IMAGE_WIDTH = 1024
export const FULL_IMAGE_QUALITY = 85

export interface GalleryDeps {
  store: ImageStore
  images: ImageRegistry
  views: ImageViews
  jobs: { listUnfinished(): Promise<JobRecord[]> }
}

export interface GalleryPageRequest {
  page?: number
  pageSize?: number
  origin?: GalleryOrigin
  /** Words the prompt must contain, as in search_images. */
  query?: string
}

export interface GalleryPage {
  total: number
  page: number
  page_size: number
  origin: GalleryOrigin
  query?: string
  items: Record<string, unknown>[]
}

const log = createLogger("gallery")

/** The gallery widget's data: unfinished generations first, then images, each newest first, paged in SQL. */
export class Gallery {
  private readonly deps: GalleryDeps

  constructor(deps: GalleryDeps) {
    this.deps = deps
  }

  async page(request: GalleryPageRequest = {}): Promise<GalleryPage> {
    const page = Math.max(1, Math.trunc(request.page ?? 1))
    const pageSize = Math.min(GALLERY_MAX_PAGE_SIZE, Math.max(1, Math.trunc(request.pageSize ?? GALLERY_PAGE_SIZE)))
    const origin = request.origin ?? "generated"
    const text = request.query?.trim() ?? ""
    const words = text ? requireWords(text) : []
    const filter: ImageSearchQuery = {
      origin: origin === "all" ? undefined : origin,
      ...(words.length && { words, prefixLast: true }),
    }
    const [pending, completedTotal] = await Promise.all([
      this.pending(origin, words),
      this.deps.store.countMatching(filter),
    ])
    const start = (page - 1) * pageSize
    const jobs = pending.slice(start, start + pageSize)
    const offset = Math.max(0, start - pending.length)
    const room = pageSize - jobs.length
    const records =
      room > 0 && offset < completedTotal ? await this.deps.store.search({ ...filter, limit: room, offset }) : []
    const thumbnails = await Promise.all(records.map((record) => this.thumbnail(record.id)))
    const items = [...jobs.map(galleryJobItem), ...records.map((r, i) => galleryImageItem(r, thumbnails[i] ?? null))]
    return {
      total: pending.length + completedTotal,
      page,
      page_size: pageSize,
      origin,
      ...(text && { query: text }),
      items,
    }
  }

  /**
   * The lightbox image: the original up to 1 MiB; above, a WebP q85 1024 px wide, or at the original width when that
   * is narrower (never enlarged). `dimensions` are always the original's.
   */
  async fullImage(id: string): Promise<Record<string, unknown>> {
    const record = await this.deps.images.require(id)
    let bytes: Uint8Array
    let contentType = record.contentType
    if (record.originalSizeBytes > FULL_IMAGE_MAX_BYTES) {
      const width = Math.min(FULL_IMAGE_WIDTH, record.width)
      const query = new URLSearchParams({ format: "webp", width: String(width), quality: String(FULL_IMAGE_QUALITY) })
      const image = await this.deps.views.view(id, query)
      bytes = image.bytes
      contentType = image.contentType
    } else {
      bytes = await this.deps.images.readOriginal(record)
    }
    return {
      image_id: record.id,
      b64: Buffer.from(bytes).toString("base64"),
      content_type: contentType,
      dimensions: [record.width, record.height],
      prompt: record.prompt,
      provider: record.provider,
      created_at: record.createdAt,
    }
  }

  /** Unfinished generations (listed oldest first), newest first; none for imported (a generation is never an import). */
  private async pending(origin: GalleryOrigin, words: string[]): Promise<JobRecord[]> {
    if (origin === "imported") return []
    const oldestFirst = await this.deps.jobs.listUnfinished()
    return oldestFirst.filter((job) => !words.length || promptMatches(job.prompt, words)).reverse()
  }

  private async thumbnail(id: string): Promise<string | null> {
    try {
      const thumb = await this.deps.views.thumbnail(id)
      return Buffer.from(thumb.bytes).toString("base64")
    } catch (error) {
      // One unreadable original should not take the whole page down.
      log.warning("Gallery thumbnail failed", { image_id: id, error: error instanceof Error ? error.message : error })
      return null
    }
  }
}
