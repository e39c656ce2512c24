import type { Context } from "hono"
import type { ContentfulStatusCode } from "hono/utils/http-status"

/** Error codes of RFC 6749 §4.1.2.1 and §5.2, RFC 7591 §3.2.2 and RFC 8707 §2. */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "invalid_scope"
  | "invalid_target"
  | "access_denied"
  | "server_error"
  | "temporarily_unavailable"
  | "invalid_redirect_uri"
  | "invalid_client_metadata"

/** The OAuth JSON error body, never cached. The description must not quote secrets or tokens. */
export function oauthError(
  c: Context,
  error: OAuthErrorCode,
  description: string,
  status: ContentfulStatusCode = 400,
): Response {
  c.header("cache-control", "no-store")
  c.header("pragma", "no-cache")
  return c.json({ error, error_description: description }, status)
}

/** A JSON body that must not be cached (token responses, registrations). */
export function noStoreJson(c: Context, body: object, status: ContentfulStatusCode = 200): Response {
  c.header("cache-control", "no-store")
  c.header("pragma", "no-cache")
  return c.json(body, status)
}

/**
 * 302 (303 after a POST) to a client's (already validated) redirect URI with response parameters added to
 * its query; callers include `iss` (RFC 9207) so the client can tell which server answered.
 */
export function redirectTo(
  c: Context,
  redirectUri: string,
  params: Record<string, string | undefined>,
  status: 302 | 303 = 302,
): Response {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value)
  c.header("cache-control", "no-store")
  return c.redirect(url.href, status)
}
