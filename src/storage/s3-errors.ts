import { AppError } from "@/util/app-error"

/** S3 error codes that mean the credentials or the signature were refused. */
const REFUSED = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "AllAccessDisabled",
])
/** S3 error codes of a service that is there but cannot serve right now. */
const BUSY = new Set(["SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "RequestTimeTooSkewed"])

export interface S3Where {
  bucket: string
  /** The endpoint's host (never its path or query), or "AWS" for the default endpoint. */
  host: string
}

/**
 * One S3 failure as an AppError, decided by the error's `code` (Bun's S3Error carries S3's error code, a network
 * failure its own code), never by its message. A missing object is `not_found`; everything else means the store
 * cannot be used right now: `unavailable`, with what the operator can check.
 */
export function s3Failure(error: unknown, where: S3Where, name?: string): AppError {
  if (error instanceof AppError) return error
  const code = errorCode(error)
  const opts = { cause: error, tag: "storage" }
  if (code === "NoSuchKey" || code === "NotFound") {
    return new AppError(
      "not_found",
      "blob_not_found",
      `No object '${name ?? "?"}' in S3 bucket '${where.bucket}'.`,
      opts,
    )
  }
  if (code === "NoSuchBucket") {
    return new AppError(
      "unavailable",
      "s3_no_bucket",
      `The S3 bucket '${where.bucket}' does not exist at ${where.host}.`,
      opts,
    )
  }
  if (code && REFUSED.has(code)) {
    const detail = `S3 at ${where.host} refused the credentials for bucket '${where.bucket}' (${code}); check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket policy.`
    return new AppError("unavailable", "s3_refused", detail, opts)
  }
  if (code && BUSY.has(code)) {
    return new AppError(
      "unavailable",
      "s3_busy",
      `S3 at ${where.host} cannot serve right now (${code}); try again shortly.`,
      opts,
    )
  }
  const detail = `S3 at ${where.host} cannot be reached (${code ?? "no answer"}); the image store is unavailable until it is back.`
  return new AppError("unavailable", "s3_unreachable", detail, opts)
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === "string" && code ? code : undefined
}
