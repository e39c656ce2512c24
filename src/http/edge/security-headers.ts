import type { MiddlewareHandler } from "hono"

const HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'",
  "cache-control": "no-store",
}

export interface SecurityHeadersOptions {
  /** Requests this returns true for are left alone (the MCP endpoint: the SDK sets its own headers). */
  skip?: (path: string) => boolean
}

/**
 * Hardening headers for everything but the MCP endpoint (health, transfer links, OAuth metadata): no MIME
 * sniffing, no referrer, no framing, and `no-store` — a header the route already set wins.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    if (options.skip?.(c.req.path)) return next()
    await next()
    for (const [name, value] of Object.entries(HEADERS)) {
      if (!c.res.headers.has(name)) c.res.headers.set(name, value)
    }
  }
}
