import type { MiddlewareHandler } from "hono"
import { cors as honoCors } from "hono/cors"

/** Request headers a browser MCP client sends: auth, JSON bodies, and the Streamable HTTP headers. */
export const CORS_ALLOW_HEADERS = [
  "authorization",
  "content-type",
  "accept",
  "mcp-protocol-version",
  "mcp-session-id",
  "last-event-id",
]
/** Response headers a browser client must read: the session id, and the auth challenge for OAuth discovery. */
export const CORS_EXPOSE_HEADERS = ["mcp-session-id", "mcp-protocol-version", "www-authenticate"]

/**
 * CORS for the listed origins only (exact match; no credentials mode, since auth is a bearer header).
 * Preflights are answered here; an origin not listed gets no `Access-Control-Allow-Origin`, so the browser
 * refuses. The Host/Origin guard must also let these origins through (it does, given `corsOrigins`).
 */
export function cors(origins: readonly string[]): MiddlewareHandler {
  return honoCors({
    origin: [...origins],
    allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    maxAge: 600,
  })
}
