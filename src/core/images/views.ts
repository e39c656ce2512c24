import type { ImageRecord } from "@/storage"
import { ReadBuffers } from "../transform/buffers"
import { TransformCache } from "../transform/cache"
import { isIdentity, parseViewParams, type ViewParams } from "../transform/params"
import { type TransformedImage, transformImage } from "../transform/pipeline"
import { isPreviewReady, PREVIEW_EDGE, type Preview, THUMBNAIL_EDGE, webpPreview } from "../transform/preview"
import { type ImageInfo, probeImage } from "../transform/probe"
import type { ImageRegistry } from "./registry"

/** The format and size of a view, without its bytes. */
export interface ViewSummary {
  contentType: string
  width: number
  height: number
}

export interface ImagePreview {
  preview: Preview
  image: ViewSummary
  params: ViewParams
}

/** A preview as the cache keeps it: the WebP, plus what the view it shows looks like. */
interface CachedPreview extends TransformedImage {
  view: ViewSummary
}

const ORIGINAL = parseViewParams(new URLSearchParams())
/** The view clients read next to `show_image` after a generation (the viewer's and most hosts' inline image). */
const INLINE_WEBP = parseViewParams(new URLSearchParams(`format=webp&width=${PREVIEW_EDGE}`))
/** Up to this many pixels a preview takes a few milliseconds to make on request: not worth cache room. */
export const SMALL_IMAGE_PIXELS = 256 * 256

/**
 * Serving images: the view pipeline and previews, from the registry's originals. With the transform cache on,
 * every image stored gets its `show_image` preview and inline WebP made in the background, so the calls a client
 * makes right after a generation are answered from the cache.
 */
export class ImageViews {
  private readonly images: ImageRegistry
  private readonly maxPixels: number
  readonly cache: TransformCache
  /** Two buffers of up to 8 MiB: enough for the originals generators make, little memory held. */
  private readonly buffers = new ReadBuffers({ keep: 2, maxBytes: 8 * 1024 * 1024 })
  private premaking: Promise<void> = Promise.resolve()

  constructor(images: ImageRegistry, maxPixels: number, cache: TransformCache) {
    this.images = images
    this.maxPixels = maxPixels
    this.cache = cache
    images.onStored((record, bytes) => this.premake(record, bytes))
  }

  /** `image://{id}/view?…`: the original, or the transformed image the query asks for. */
  async view(id: string, query: URLSearchParams): Promise<TransformedImage> {
    const params = parseViewParams(query)
    return this.render(await this.images.require(id), params)
  }

  /** The view's format and size, plus a ≤512 px WebP preview of it. `record` saves a lookup when the caller has it. */
  async preview(id: string, query: URLSearchParams, record?: ImageRecord): Promise<ImagePreview> {
    const params = parseViewParams(query)
    const stored = record ?? (await this.images.require(id))
    const cached = await this.cache.through(previewKey(stored.id, params), () => this.makePreview(stored, params))
    return { preview: { bytes: cached.bytes, width: cached.width, height: cached.height }, image: cached.view, params }
  }

  /** A gallery thumbnail: WebP q80 fitting `edge`×`edge` (128 px by default), never enlarged. */
  async thumbnail(id: string, edge = THUMBNAIL_EDGE): Promise<Preview> {
    const record = await this.images.require(id)
    return this.withOriginal(record, (bytes) =>
      webpPreview(bytes, this.probe(bytes, record), { edge, maxPixels: this.maxPixels }),
    )
  }

  /** Resolves once the previews queued for images stored so far are made (or given up). */
  premade(): Promise<void> {
    return this.premaking
  }

  private render(record: ImageRecord, params: ViewParams, original?: Uint8Array): Promise<TransformedImage> {
    if (isIdentity(params)) return this.transform(record, params, original)
    return this.cache.through(TransformCache.key(record.id, params), () => this.transform(record, params, original))
  }

  private async transform(record: ImageRecord, params: ViewParams, original?: Uint8Array): Promise<TransformedImage> {
    if (original || isIdentity(params)) {
      // The identity view is the original itself: it leaves here, so it gets a buffer of its own.
      const bytes = original ?? (await this.images.readOriginal(record))
      return transformImage(bytes, this.probe(bytes, record), params, this.maxPixels)
    }
    return this.withOriginal(record, (bytes) =>
      transformImage(bytes, this.probe(bytes, record), params, this.maxPixels),
    )
  }

  /** Runs `use` on the original read into a reused buffer, which is lent back once `use` settles. */
  private async withOriginal<T>(record: ImageRecord, use: (bytes: Uint8Array) => Promise<T>): Promise<T> {
    const bytes = await this.images.readOriginal(record, (size) => this.buffers.take(size))
    try {
      return await use(bytes)
    } finally {
      this.buffers.release(bytes)
    }
  }

  private probe(bytes: Uint8Array, record: ImageRecord): ImageInfo {
    return { ...probeImage(bytes, this.maxPixels, "stored image"), contentType: record.contentType }
  }

  private makePreview(record: ImageRecord, params: ViewParams, original?: Uint8Array): Promise<CachedPreview> {
    if (original || !isIdentity(params)) return this.previewOf(record, params, original)
    return this.withOriginal(record, async (bytes) => {
      const made = await this.previewOf(record, params, bytes)
      // A small WebP original is its own preview: it must not stay in the lent buffer.
      return made.bytes.buffer === bytes.buffer ? { ...made, bytes: made.bytes.slice() } : made
    })
  }

  private async previewOf(record: ImageRecord, params: ViewParams, original?: Uint8Array): Promise<CachedPreview> {
    const image = await this.render(record, params, original)
    const view = { contentType: image.contentType, width: image.width, height: image.height }
    // A view that already is a small WebP (the inline view, say) is its own preview: no second decode and encode.
    const preview = isPreviewReady(image) ? image : await webpPreview(image.bytes, image, { maxPixels: this.maxPixels })
    return { bytes: preview.bytes, contentType: "image/webp", width: preview.width, height: preview.height, view }
  }

  /**
   * Queues the `show_image` preview and the inline WebP of a newly stored image, one image at a time, after the
   * current turn of the event loop (the store's caller finishes first). The pixel work runs off the JS thread.
   */
  private premake(record: ImageRecord, bytes: Uint8Array): void {
    if (!this.cache.enabled || record.width * record.height <= SMALL_IMAGE_PIXELS) return
    this.premaking = this.premaking
      .then(nextTurn)
      .then(async () => {
        // An image deleted meanwhile must not come back into the cache (eviction drops work already started).
        if (!(await this.images.get(record.id))) return
        // Both at once: each decodes on its own worker thread, so on two cores both are ready about as soon as one.
        await Promise.all([
          this.cache.through(previewKey(record.id, ORIGINAL), () => this.makePreview(record, ORIGINAL, bytes)),
          this.render(record, INLINE_WEBP, bytes),
        ])
      })
      .catch(() => {
        // A failure here shows again, with its message, when the view is asked for.
      })
  }
}

const previewKey = (id: string, params: ViewParams) => `${TransformCache.key(id, params)}|preview`
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))
