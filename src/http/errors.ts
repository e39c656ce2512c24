import type { Context } from "hono"
import { HTTPException } from "hono/http-exception"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import { ENV_PREFIX } from "@/config/env"
import { AppError, type ErrorKind } from "@/core/errors"
import { createLogger } from "@/util/log"
import { redact } from "@/util/redact"

const log = createLogger("http")

/** A JSON-RPC error body with no id, the shape the SDK transport uses for HTTP-level refusals. */
export function rpcError(status: ContentfulStatusCode, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status })
}

/** 413 for a body over the MCP endpoint's limit, saying how to get a large image in instead. */
export function payloadTooLarge(maxBytes: number): Response {
  const mib = (maxBytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "")
  return rpcError(
    413,
    -32000,
    `Payload Too Large: Request body must not exceed ${maxBytes} bytes (${mib} MiB). Send large images with ` +
      `create_upload_link or fetch_image instead, or raise ${ENV_PREFIX}MAX_REQUEST_BYTES on the server.`,
  )
}

/**
 * The HTTP edge's one table: the status for each kind. The body is always `{ "error": <message> }`; a
 * `limit_reached` error that knows when to come back also sets `Retry-After`.
 */
export const HTTP_STATUS: Readonly<Record<ErrorKind, ContentfulStatusCode>> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  content_policy: 422,
  limit_reached: 429,
  internal: 500,
  upstream_refused: 502,
  unavailable: 503,
}

export interface HttpErrorAnswer {
  status: ContentfulStatusCode
  body: { error: string }
  headers: Record<string, string>
}

/** How a failure is answered. Anything that is neither an `AppError` nor Hono's own exception is a bare 500. */
export function httpErrorAnswer(error: unknown): HttpErrorAnswer {
  if (error instanceof HTTPException) {
    return { status: error.status, body: { error: redact(error.message || "Request failed") }, headers: {} }
  }
  if (!(error instanceof AppError)) return { status: 500, body: { error: "Internal server error" }, headers: {} }
  const headers: Record<string, string> = {}
  if (error.kind === "limit_reached" && error.retryAfterS !== undefined) {
    headers["retry-after"] = String(Math.max(0, Math.ceil(error.retryAfterS)))
  }
  return { status: HTTP_STATUS[error.kind], body: { error: redact(error.message) }, headers }
}

/** The single `app.onError`: known errors keep their (redacted) message, anything else is logged and a bare 500. */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof HTTPException && error.res) return error.getResponse()
  const answer = httpErrorAnswer(error)
  if (answer.status >= 500 && !(error instanceof HTTPException)) {
    log.error("HTTP request failed", { method: c.req.method, path: c.req.path, error })
  }
  return c.json(answer.body, answer.status, answer.headers)
}
