/** Short-lived in-memory entries (sign-ins in progress, authorization codes): a restart simply ends them. */
export interface ExpiringMap<V> {
  set(key: string, value: V): void
  get(key: string): V | undefined
  /** Removes and returns the live entry: what makes a code single-use. */
  take(key: string): V | undefined
  readonly size: number
}

/**
 * Entries live `ttlMs`; at most `max` are kept (the oldest go first), so unauthenticated requests that
 * create entries cannot grow memory without bound.
 */
export function createExpiringMap<V>(ttlMs: number, max: number, clock: () => number): ExpiringMap<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>()
  const live = (key: string) => {
    const entry = entries.get(key)
    if (entry && entry.expiresAt > clock()) return entry
    entries.delete(key)
    return undefined
  }
  const sweep = () => {
    const now = clock()
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key)
    while (entries.size >= max) entries.delete(entries.keys().next().value as string)
  }
  return {
    set(key, value) {
      if (entries.size >= max) sweep()
      entries.set(key, { value, expiresAt: clock() + ttlMs })
    },
    get: (key) => live(key)?.value,
    take(key) {
      const entry = live(key)
      entries.delete(key)
      return entry?.value
    },
    get size() {
      return entries.size
    },
  }
}
