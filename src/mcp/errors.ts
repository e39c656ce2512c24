import { type CallToolResult, ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js"
import { AppError, type ErrorKind } from "@/core/errors"
import { createLogger } from "@/util/log"
import { redact } from "@/util/redact"
import { errorResult } from "./results"

const log = createLogger("mcp")

/**
 * The MCP edge's one table. A failed tool call is always an `isError` result whose text is the error's message
 * (the model reads it and can react), whatever the kind; a failed resource read is a JSON-RPC error with this code.
 * `not_found` is `InvalidParams`, as the SDK answers a resource URI it does not know.
 */
export const RESOURCE_ERROR_CODES: Readonly<Record<ErrorKind, ErrorCode>> = {
  invalid_input: ErrorCode.InvalidParams,
  not_found: ErrorCode.InvalidParams,
  content_policy: ErrorCode.InvalidParams,
  conflict: ErrorCode.InvalidRequest,
  limit_reached: ErrorCode.InvalidRequest,
  unauthorized: ErrorCode.InvalidRequest,
  forbidden: ErrorCode.InvalidRequest,
  unavailable: ErrorCode.InternalError,
  upstream_refused: ErrorCode.InternalError,
  internal: ErrorCode.InternalError,
}

/** A JSON-RPC error for resource reads. Unlike `McpError`, its message goes out as it is, without a prefix. */
export class ProtocolError extends Error {
  override name = "ProtocolError"
  readonly code: number

  constructor(code: number, message: string) {
    super(message)
    this.code = code
  }
}

/**
 * Any failure as an `AppError`. One that is not (a bug, or a library's own error) is logged with a reference and
 * becomes `internal` with a message that says nothing about it, so no path, secret or stack reaches the client.
 */
export function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  const ref = crypto.randomUUID().slice(0, 8)
  log.error("Unexpected failure", { ref, error })
  return new AppError("internal", "unexpected", `Internal error (ref ${ref}); the server log has the details.`, {
    cause: error,
  })
}

/** The `isError` result for a failed tool call. The SDK's own `McpError`s keep their text. */
export function toolErrorResult(error: unknown): CallToolResult {
  if (error instanceof McpError) return errorResult(error.message)
  return errorResult(redact(asAppError(error).message))
}

/** For resource reads: a JSON-RPC error whose code comes from the table and whose message is the user-facing text. */
export function toMcpError(error: unknown): Error {
  if (error instanceof McpError || error instanceof ProtocolError) return error
  const known = asAppError(error)
  return new ProtocolError(RESOURCE_ERROR_CODES[known.kind], redact(known.message))
}
