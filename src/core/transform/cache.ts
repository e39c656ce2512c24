import type { ViewParams } from "./params"
import { hasRegionCrop } from "./params"
import type { TransformedImage } from "./pipeline"

export interface TransformCacheOptions {
  /** Most entries kept; 0 turns the cache off. */
  maxEntries: number
  /** Most bytes kept across entries. */
  maxBytes: number
}

/** Least-recently-used cache of transformed images, bounded by entries and by total bytes. */
export class TransformCache {
  private readonly entries = new Map<string, TransformedImage>()
  private readonly opts: TransformCacheOptions
  private bytes = 0

  constructor(opts: TransformCacheOptions) {
    this.opts = opts
  }

  get size(): number {
    return this.entries.size
  }

  get totalBytes(): number {
    return this.bytes
  }

  static key(id: string, p: ViewParams): string {
    const crop = hasRegionCrop(p) ? [p.cropX, p.cropY, p.cropW, p.cropH] : [0, 0, 0, 0]
    return [id, p.format, p.width, p.height, p.quality, ...crop, p.rotate, p.flip].join("|")
  }

  get(key: string): TransformedImage | undefined {
    const hit = this.entries.get(key)
    if (!hit) return undefined
    this.entries.delete(key)
    this.entries.set(key, hit)
    return hit
  }

  set(key: string, value: TransformedImage): void {
    if (this.opts.maxEntries <= 0 || value.bytes.length > this.opts.maxBytes) return
    this.remove(key)
    this.entries.set(key, value)
    this.bytes += value.bytes.length
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.opts.maxEntries && this.bytes <= this.opts.maxBytes) break
      this.remove(oldest)
    }
  }

  /** Drops every entry of one image (after it is deleted). */
  evictImage(id: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${id}|`)) this.remove(key)
  }

  clear(): void {
    this.entries.clear()
    this.bytes = 0
  }

  private remove(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.bytes -= entry.bytes.length
    this.entries.delete(key)
  }
}
