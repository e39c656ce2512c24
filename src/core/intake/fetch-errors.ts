// Kept apart from safe-fetch.ts so callers can test for these without loading node:http at start-up.
import { AppError } from "../errors"

/** The URL or an address it leads to is not allowed, or the body broke a limit. Its message has no tag. */
export class FetchPolicyError extends AppError {
  override name = "FetchPolicyError"
  constructor(message: string) {
    super("invalid_input", "fetch_refused", message, { tag: null })
  }
}

/** The server answered with a non-2xx status. The message holds no query string or credentials, and no tag. */
export class FetchStatusError extends AppError {
  override name = "FetchStatusError"
  constructor(message: string) {
    super("upstream_refused", "fetch_status", message, { tag: null })
  }
}

/** Timed out, refused, reset: the request did not complete. Its message has no tag. */
export class FetchNetworkError extends AppError {
  override name = "FetchNetworkError"
  constructor(message: string) {
    super("unavailable", "fetch_failed", message, { tag: null })
  }
}

/** `scheme://host[:port]/path`: the URL without credentials, query or fragment. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`
}
