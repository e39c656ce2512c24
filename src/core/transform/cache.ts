import type { ViewParams } from "./params"
import { hasRegionCrop } from "./params"
import type { TransformedImage } from "./pipeline"

export interface TransformCacheOptions {
  /** Most entries kept; 0 turns the cache off. */
  maxEntries: number
  /** Most bytes kept across entries. */
  maxBytes: number
}

/** How requests through `through()` were answered since the cache was made. */
export interface TransformCacheStats {
  /** Served from a stored entry. */
  hits: number
  /** Waited for the same entry already being made (e.g. a preview made in the background). */
  joins: number
  /** Made on request. */
  misses: number
}

/**
 * Least-recently-used cache of transformed images, bounded by entries and by total bytes. Entries being made are
 * shared by everyone asking for the same key, and dropped if their image is evicted meanwhile.
 */
export class TransformCache {
  private readonly entries = new Map<string, TransformedImage>()
  private readonly inFlight = new Map<string, InFlight>()
  private readonly opts: TransformCacheOptions
  private bytes = 0
  readonly stats: TransformCacheStats = { hits: 0, joins: 0, misses: 0 }

  constructor(opts: TransformCacheOptions) {
    this.opts = opts
  }

  get enabled(): boolean {
    return this.opts.maxEntries > 0
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

  /** The entry for `key`: stored, being made, or made now by `make` (and stored). With the cache off, always made. */
  through<T extends TransformedImage>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.enabled) {
      this.stats.misses++
      return make()
    }
    const hit = this.get(key)
    if (hit) {
      this.stats.hits++
      return Promise.resolve(hit as T)
    }
    const pending = this.inFlight.get(key)
    if (pending) {
      this.stats.joins++
      return pending.made as Promise<T>
    }
    this.stats.misses++
    const entry: InFlight = { made: make(), evicted: false }
    this.inFlight.set(key, entry)
    const done = () => {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key)
    }
    entry.made.then((value) => {
      done()
      if (!entry.evicted) this.set(key, value)
    }, done)
    return entry.made as Promise<T>
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

  /** Drops every entry of one image (after it is deleted), including entries still being made. */
  evictImage(id: string): void {
    for (const key of this.entries.keys()) if (imageOf(key) === id) this.remove(key)
    for (const [key, pending] of this.inFlight) {
      if (imageOf(key) !== id) continue
      pending.evicted = true
      this.inFlight.delete(key)
    }
  }

  clear(): void {
    for (const pending of this.inFlight.values()) pending.evicted = true
    this.entries.clear()
    this.inFlight.clear()
    this.bytes = 0
  }

  private remove(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.bytes -= entry.bytes.length
    this.entries.delete(key)
  }
}

/** An entry being made; `evicted` once its image is evicted, so the result is not stored. */
interface InFlight {
  made: Promise<TransformedImage>
  evicted: boolean
}

const imageOf = (key: string) => key.slice(0, key.indexOf("|"))
