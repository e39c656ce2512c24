import type { Context, MiddlewareHandler } from "hono"

export interface RateLimitOptions {
  /** Length of one counting window. */
  windowMs: number
  /** Requests one key may make per window; the next gets 429. */
  max: number
  /** What a request counts against. @default the client's IP address (`clientAddress`) */
  key?: (c: Context) => string
  /** Most keys tracked at once; past it, expired windows go first, then the oldest. @default 10000 */
  maxKeys?: number
  /** Milliseconds clock. @default Date.now */
  now?: () => number
}

interface Window {
  count: number
  resetAt: number
}

/**
 * A fixed-window request limit per key (per client IP by default), answering 429 with `Retry-After` and
 * `RateLimit-*` headers. Memory is bounded by `maxKeys`. Behind a reverse proxy every client shares the
 * proxy's address: pass a `key` that reads the proxy's forwarded header, if the proxy is trusted.
 * Mount on specific routes, e.g. `app.use("/transfer/*", rateLimit({ windowMs: 60_000, max: 60 }))`.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { windowMs, max } = options
  if (!(windowMs > 0) || !(max >= 1)) throw new RangeError("rateLimit needs windowMs > 0 and max >= 1")
  const keyOf = options.key ?? clientAddress
  const maxKeys = options.maxKeys ?? 10_000
  const now = options.now ?? Date.now
  const windows = new Map<string, Window>()
  let nextSweep = 0

  const sweep = (at: number) => {
    nextSweep = at + windowMs
    for (const [key, w] of windows) if (w.resetAt <= at) windows.delete(key)
  }
  const windowFor = (key: string, at: number): Window => {
    const current = windows.get(key)
    if (current && current.resetAt > at) return current
    if (at >= nextSweep || windows.size >= maxKeys) sweep(at)
    // Still full: forget the oldest window (Map keeps insertion order).
    if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string)
    const fresh = { count: 0, resetAt: at + windowMs }
    windows.set(key, fresh)
    return fresh
  }

  return async (c, next) => {
    const at = now()
    const w = windowFor(keyOf(c), at)
    w.count++
    const resetS = Math.max(1, Math.ceil((w.resetAt - at) / 1000))
    c.header("ratelimit-limit", String(max))
    c.header("ratelimit-remaining", String(Math.max(0, max - w.count)))
    c.header("ratelimit-reset", String(resetS))
    if (w.count > max) {
      c.header("retry-after", String(resetS))
      return c.json({ error: `Too many requests; retry in ${resetS} s` }, 429)
    }
    await next()
  }
}

interface AddressSource {
  requestIP?(req: Request): { address: string } | null
}

/** The peer address Bun saw for this request (`Bun.serve` passes itself as the env), or "unknown". */
export function clientAddress(c: Context): string {
  const server = c.env as AddressSource | undefined
  return server?.requestIP?.(c.req.raw)?.address ?? "unknown"
}
