// The viewer's small localStorage cache: reopening a conversation shows recent images at once, before (or without)
// a new tool result. Free of DOM types so it can be unit-tested with any Storage-like object.

export const CACHE_PREFIX = "imgview:"
export const CACHE_MAX = 5

/** The subset of the Web Storage API the cache uses. */
export interface KeyValueStorage {
  readonly length: number
  key(index: number): string | null
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

export interface CachedView {
  img: { data: string; mimeType: string }
  /** The tool result's JSON text. */
  text?: string
  /** Last written or read, in ms since 1970; the oldest entry goes first. */
  ts: number
  /** Source id when the image was saved from the editor. */
  editedFrom?: string
}

export class ViewCache {
  private readonly storage: KeyValueStorage | undefined
  private readonly now: () => number

  constructor(storage: KeyValueStorage | undefined, now: () => number = Date.now) {
    this.storage = storage
    this.now = now
  }

  get(key: string): CachedView | undefined {
    const raw = this.safe(() => this.storage?.getItem(CACHE_PREFIX + key))
    if (!raw) return undefined
    try {
      const entry = JSON.parse(raw) as CachedView
      if (typeof entry?.img?.data !== "string") return undefined
      this.put(key, entry)
      return entry
    } catch {
      return undefined
    }
  }

  /** Stores `entry` as the newest; keeps at most CACHE_MAX entries, evicting oldest first, also on quota errors. */
  put(key: string, entry: Omit<CachedView, "ts">): void {
    const storage = this.storage
    if (!storage) return
    const value = JSON.stringify({ ...entry, ts: this.now() })
    for (;;) {
      try {
        storage.setItem(CACHE_PREFIX + key, value)
        break
      } catch (error) {
        if (!this.evictOldest(key)) {
          console.warn("Image cache: could not store the image", error)
          return
        }
      }
    }
    while (this.entries().length > CACHE_MAX && this.evictOldest(key)) {}
  }

  /** Cached keys (without the prefix), oldest first. */
  keys(): string[] {
    return this.entries().map((e) => e.key)
  }

  private entries(): { key: string; ts: number }[] {
    const storage = this.storage
    if (!storage) return []
    const found: { key: string; ts: number }[] = []
    for (let i = 0; i < storage.length; i++) {
      const name = this.safe(() => storage.key(i))
      if (!name?.startsWith(CACHE_PREFIX)) continue
      let ts = 0
      try {
        ts = Number(JSON.parse(storage.getItem(name) ?? "{}").ts) || 0
      } catch {}
      found.push({ key: name.slice(CACHE_PREFIX.length), ts })
    }
    return found.sort((a, b) => a.ts - b.ts)
  }

  /** Removes the oldest entry other than `keep`; false when there is none. */
  private evictOldest(keep: string): boolean {
    const victim = this.entries().find((e) => e.key !== keep)
    if (!victim) return false
    this.safe(() => this.storage?.removeItem(CACHE_PREFIX + victim.key))
    return true
  }

  private safe<T>(fn: () => T): T | undefined {
    try {
      return fn()
    } catch (error) {
      console.warn("Image cache unavailable:", error)
      return undefined
    }
  }
}

/** The page's localStorage, or undefined where the sandbox forbids it (reading it throws there). */
export function browserStorage(): KeyValueStorage | undefined {
  try {
    const storage = (globalThis as { localStorage?: KeyValueStorage }).localStorage
    storage?.getItem(`${CACHE_PREFIX}probe`)
    return storage
  } catch {
    return undefined
  }
}
