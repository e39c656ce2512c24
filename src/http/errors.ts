import type { Context } from "hono"
import { HTTPException } from "hono/http-exception"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import { ENV_PREFIX } from "@/config/env"
import { AppError, InvalidArgumentError } from "@/core/errors"
import { ProviderError } from "@/providers/errors"
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

/** The single `app.onError`: known errors keep their (redacted) message, anything else is a bare 500. */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof HTTPException && error.res) return error.getResponse()
  const { status, message } = describe(error)
  const unexpected = status >= 500 && !(error instanceof HTTPException)
  if (unexpected) log.error("HTTP request failed", { method: c.req.method, path: c.req.path, error })
  return c.json({ error: message }, status)
}

function describe(error: Error): { status: ContentfulStatusCode; message: string } {
  if (error instanceof HTTPException) {
    return { status: error.status, message: redact(error.message || "Request failed") }
  }
  if (error instanceof InvalidArgumentError) return { status: 400, message: redact(error.message) }
  if (error instanceof AppError) {
    const status = error.code.endsWith("_not_found") ? 404 : error.code.startsWith("invalid_") ? 400 : 500
    return { status, message: redact(error.message) }
  }
  if (error instanceof ProviderError) return { status: 502, message: redact(error.message) }
  return { status: 500, message: "Internal server error" }
}
