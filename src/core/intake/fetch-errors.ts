// Kept apart from safe-fetch.ts so callers can test for these without loading node:http at start-up.

/** The URL or an address it leads to is not allowed, or the body broke a limit. */
export class FetchPolicyError extends Error {
  override name = "FetchPolicyError"
}

/** The server answered with a non-2xx status. The message holds no query string or credentials. */
export class FetchStatusError extends Error {
  override name = "FetchStatusError"
}

/** Timed out, refused, reset: the request did not complete. */
export class FetchNetworkError extends Error {
  override name = "FetchNetworkError"
}

/** `scheme://host[:port]/path`: the URL without credentials, query or fragment. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`
}
