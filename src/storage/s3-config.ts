import { AppError } from "@/util/app-error"
import { registerSecret } from "@/util/redact"

/** Where an S3 blob store keeps its objects and how it signs in: from an `s3://bucket/prefix` URL and the env. */
export interface S3Location {
  bucket: string
  /** Key prefix without slashes at either end; empty for the bucket's root. */
  prefix: string
  endpoint?: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

// S3's bucket naming rules: 3–63 characters, lower-case letters, digits, dots and hyphens, a letter or digit at
// each end.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/
const DEFAULT_REGION = "us-east-1"

/**
 * Reads `s3://bucket[/prefix]` and the S3 settings Bun's client knows (`S3_ENDPOINT`, `S3_REGION`,
 * `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`, `S3_SESSION_TOKEN`, or their `AWS_*` names). Credentials come only
 * from the environment, never from the URL. Throws an `invalid_input` AppError naming what is wrong.
 */
export function s3Location(url: string, env: Record<string, string | undefined>): S3Location {
  const parsed = parseUrl(url)
  const pick = (...names: string[]) => names.map((name) => env[name]?.trim()).find((value) => value)
  const accessKeyId = pick("S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID")
  const secretAccessKey = pick("S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY")
  if (!accessKeyId || !secretAccessKey) {
    throw configError(
      "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) must be set",
    )
  }
  const endpoint = pick("S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ENDPOINT")
  if (endpoint && !/^https?:\/\/[^/?#@\s]+(\/[^?#\s]*)?$/.test(endpoint)) {
    throw configError("S3_ENDPOINT must be an http:// or https:// URL without credentials, e.g. https://s3.example.com")
  }
  const sessionToken = pick("S3_SESSION_TOKEN", "AWS_SESSION_TOKEN")
  registerSecret(secretAccessKey)
  registerSecret(sessionToken)
  return {
    ...parsed,
    endpoint,
    region: pick("S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION") ?? DEFAULT_REGION,
    accessKeyId,
    secretAccessKey,
    sessionToken,
  }
}

function parseUrl(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url.trim())
  if (!match) throw configError("the blob store URL must look like s3://bucket or s3://bucket/prefix (no query)")
  const [, authority = "", path = ""] = match
  if (authority.includes("@")) {
    throw configError("credentials do not belong in the s3:// URL; set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY")
  }
  if (!BUCKET.test(authority)) {
    throw configError(`'${authority}' is not a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)`)
  }
  const prefix = path.replace(/^\/+|\/+$/g, "")
  if (prefix.split("/").some((part) => part === "." || part === "..") || prefix.includes("//")) {
    throw configError(`the key prefix '${prefix}' may not contain empty, '.' or '..' segments`)
  }
  return { bucket: authority, prefix }
}

function configError(detail: string): AppError {
  return new AppError("invalid_input", "blob_store_config", `S3 blob store: ${detail}.`, { tag: null })
}
