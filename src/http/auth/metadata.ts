import type { Context, Hono } from "hono"
import type { OidcProvider } from "./types"

export const METADATA_PREFIX = "/.well-known/oauth-protected-resource"

export interface ResourceInfo {
  /** BASE_URL; unset means the origin of the request. */
  baseUrl?: string
  /** MCP endpoint path, normalised (`/mcp`). */
  path: string
  /** `resource_name` in the metadata. */
  name: string
  /** The OIDC flavour, when there is one: it provides the authorization servers and scopes. */
  oidc?: Pick<OidcProvider, "authorizationServers" | "scopesSupported">
}

/** `/.well-known/oauth-protected-resource/mcp`: RFC 9728 puts the resource path after the well-known name. */
export function metadataPath(path: string): string {
  return path === "/" ? METADATA_PREFIX : `${METADATA_PREFIX}${path}`
}

function base(info: ResourceInfo, c: Context): string {
  return (info.baseUrl ?? new URL(c.req.url).origin).replace(/\/+$/, "")
}

/** The absolute metadata URL for the challenge: `<BASE_URL>/.well-known/oauth-protected-resource<path>`. */
export function metadataUrl(info: ResourceInfo, c: Context): string {
  return `${base(info, c)}${metadataPath(info.path)}`
}

/** The protected-resource metadata document (RFC 9728 §2). */
export function metadataDocument(info: ResourceInfo, c: Context): Record<string, unknown> {
  const doc: Record<string, unknown> = { resource: `${base(info, c)}${info.path}` }
  if (info.oidc) {
    doc.authorization_servers = info.oidc.authorizationServers
    doc.scopes_supported = info.oidc.scopesSupported
  }
  doc.bearer_methods_supported = ["header"]
  doc.resource_name = info.name
  return doc
}

/** Serves the metadata at the path-specific URL and at the bare well-known URL; public (CORS is the app's). */
export function mountMetadata(app: Hono, info: ResourceInfo): void {
  const handler = (c: Context) => {
    c.header("cache-control", "public, max-age=300")
    return c.json(metadataDocument(info, c))
  }
  const paths = new Set([metadataPath(info.path), METADATA_PREFIX])
  for (const path of paths) app.get(path, handler)
}

export interface Challenge {
  error?: "invalid_token" | "insufficient_scope"
  description?: string
  scopes?: string[]
}

/** `Bearer error="…", error_description="…", scope="…", resource_metadata="…"` (RFC 6750 §3, MCP authorization). */
export function challengeHeader(challenge: Challenge, resourceMetadata: string): string {
  const params: string[] = []
  if (challenge.error) params.push(`error="${challenge.error}"`)
  if (challenge.description) params.push(`error_description="${challenge.description}"`)
  if (challenge.scopes && challenge.scopes.length > 0) params.push(`scope="${challenge.scopes.join(" ")}"`)
  params.push(`resource_metadata="${resourceMetadata.replace(/["\\]/g, "")}"`)
  return `Bearer ${params.join(", ")}`
}
