import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js"
import { AppError, InvalidArgumentError } from "@/core/errors"
import { ProviderError } from "@/providers/errors"
import { createLogger } from "@/util/log"
import { redact } from "@/util/redact"

const log = createLogger("mcp")

/** The message a user sees for a failure: domain errors verbatim, anything unexpected logged and summarised. */
export function userMessage(error: unknown): string {
  if (error instanceof McpError) return error.message
  if (error instanceof AppError || error instanceof InvalidArgumentError || error instanceof ProviderError) {
    return redact(error.message)
  }
  log.error("Unexpected failure", { error })
  return `[server] Internal error: ${redact(error instanceof Error ? error.message : String(error))}`
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

/** For resource reads: a JSON-RPC error whose message is the user-facing text. */
export function toMcpError(error: unknown): Error {
  if (error instanceof McpError || error instanceof ProtocolError) return error
  const known = error instanceof InvalidArgumentError || error instanceof AppError
  return new ProtocolError(known ? ErrorCode.InvalidParams : ErrorCode.InternalError, userMessage(error))
}
