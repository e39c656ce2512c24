import { TransformCache } from "../transform/cache"
import { isIdentity, parseViewParams, type ViewParams } from "../transform/params"
import { type TransformedImage, transformImage } from "../transform/pipeline"
import { type Preview, THUMBNAIL_EDGE, webpPreview } from "../transform/preview"
import { probeImage } from "../transform/probe"
import type { ImageRegistry } from "./registry"

export interface ImagePreview {
  preview: Preview
  image: TransformedImage
  params: ViewParams
}

/** Serving images: the view pipeline and previews, from the registry's originals. */
export class ImageViews {
  private readonly images: ImageRegistry
  private readonly maxPixels: number
  readonly cache: TransformCache

  constructor(images: ImageRegistry, maxPixels: number, cache: TransformCache) {
    this.images = images
    this.maxPixels = maxPixels
    this.cache = cache
  }

  /** `image://{id}/view?…`: the original, or the transformed image the query asks for. */
  view(id: string, query: URLSearchParams): Promise<TransformedImage> {
    return this.render(id, parseViewParams(query))
  }

  /** The view, plus a ≤512 px WebP preview of it. */
  async preview(id: string, query: URLSearchParams): Promise<ImagePreview> {
    const params = parseViewParams(query)
    const image = await this.render(id, params)
    const preview = await webpPreview(image.bytes, image, { maxPixels: this.maxPixels })
    return { preview, image, params }
  }

  /** A gallery thumbnail: WebP q80 fitting `edge`×`edge` (128 px by default), never enlarged. */
  async thumbnail(id: string, edge = THUMBNAIL_EDGE): Promise<Preview> {
    const record = await this.images.require(id)
    const bytes = await this.images.readOriginal(record)
    return webpPreview(bytes, probeImage(bytes, this.maxPixels, "stored image"), { edge, maxPixels: this.maxPixels })
  }

  private async render(id: string, params: ViewParams): Promise<TransformedImage> {
    const record = await this.images.require(id)
    const key = TransformCache.key(id, params)
    const cached = isIdentity(params) ? undefined : this.cache.get(key)
    if (cached) return cached
    const bytes = await this.images.readOriginal(record)
    const info = probeImage(bytes, this.maxPixels, "stored image")
    const out = await transformImage(bytes, { ...info, contentType: record.contentType }, params, this.maxPixels)
    if (!isIdentity(params)) this.cache.set(key, out)
    return out
  }
}
