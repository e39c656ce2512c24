import type { Context } from "hono"
import type { ClientAuthMethod, ClientRecord } from "@/storage"
import { readLimitedText } from "../../body"
import type { ProxyContext } from "./context"
import { noStoreJson, oauthError } from "./responses"
import { printable, randomToken, sha256, splitScopes } from "./util"

const MAX_BODY_BYTES = 16 * 1024
const MAX_REDIRECT_URIS = 10
const MAX_URI_CHARS = 2000
/** Registrations that never got a token are dropped after a day, and only this many are kept. */
const UNUSED_CLIENT_TTL_S = 86_400
const MAX_UNUSED_CLIENTS = 5000
const AUTH_METHODS: readonly ClientAuthMethod[] = ["none", "client_secret_post", "client_secret_basic"]
export const GRANT_TYPES = ["authorization_code", "refresh_token"]
/** Descriptive metadata echoed back as registered (RFC 7591 §2); other members are ignored. */
const TEXT_FIELDS = [
  "client_name",
  "client_uri",
  "logo_uri",
  "tos_uri",
  "policy_uri",
  "software_id",
  "software_version",
]
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"])

type Invalid = { error: "invalid_redirect_uri" | "invalid_client_metadata"; description: string }

/** RFC 7591 §3: registers a client. Public clients (`token_endpoint_auth_method: none`) get no secret. */
export function registerHandler(ctx: ProxyContext) {
  return async (c: Context) => {
    const text = await readLimitedText(c.req.raw, MAX_BODY_BYTES)
    if (text === undefined) return oauthError(c, "invalid_client_metadata", `The body exceeds ${MAX_BODY_BYTES} bytes`)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return oauthError(c, "invalid_client_metadata", "The body must be a JSON object of client metadata")
    }
    const parsed = parseMetadata(body, ctx)
    if ("error" in parsed) return oauthError(c, parsed.error, parsed.description)

    const now = Math.floor(ctx.clock() / 1000)
    await ctx.store.pruneUnusedClients(now - UNUSED_CLIENT_TTL_S, MAX_UNUSED_CLIENTS - 1)
    const clientId = randomToken(16)
    const secret = parsed.authMethod === "none" ? undefined : randomToken(32)
    const client: ClientRecord = { ...parsed, clientId, createdAt: now }
    if (secret !== undefined) client.secretHash = sha256(secret)
    await ctx.store.addClient(client)
    ctx.log.info("OAuth client registered", { client_id: clientId, name: printable(parsed.metadata.client_name) })
    const response: Record<string, unknown> = { client_id: clientId, client_id_issued_at: now }
    if (secret !== undefined) Object.assign(response, { client_secret: secret, client_secret_expires_at: 0 })
    return noStoreJson(c, { ...response, ...parsed.metadata }, 201)
  }
}

function parseMetadata(body: unknown, ctx: ProxyContext): Omit<ClientRecord, "clientId" | "createdAt"> | Invalid {
  const invalid = (description: string): Invalid => ({ error: "invalid_client_metadata", description })
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return invalid("The body must be a JSON object of client metadata")
  }
  const m = body as Record<string, unknown>
  const uris = m.redirect_uris
  if (!Array.isArray(uris) || uris.length === 0 || uris.length > MAX_REDIRECT_URIS) {
    return { error: "invalid_redirect_uri", description: `redirect_uris must list 1 to ${MAX_REDIRECT_URIS} URIs` }
  }
  for (const uri of uris) {
    const problem = redirectUriProblem(uri)
    if (problem) return { error: "invalid_redirect_uri", description: problem }
  }
  const method = m.token_endpoint_auth_method ?? "client_secret_basic"
  if (!AUTH_METHODS.includes(method as ClientAuthMethod)) {
    return invalid(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(", ")}`)
  }
  const grants = m.grant_types ?? GRANT_TYPES
  if (!Array.isArray(grants) || !grants.every((g) => GRANT_TYPES.includes(g)) || !grants.includes(GRANT_TYPES[0])) {
    return invalid("grant_types must include authorization_code and may add refresh_token")
  }
  const responses = m.response_types ?? ["code"]
  if (!Array.isArray(responses) || !responses.every((r) => r === "code"))
    return invalid('response_types must be ["code"]')
  if (m.scope !== undefined && typeof m.scope !== "string") return invalid("scope must be a space-separated string")
  const scopes = splitScopes(m.scope as string | undefined)
  const known = new Set([...ctx.scopesSupported, ...ctx.requiredScopes])
  const unknown = scopes.filter((s) => !known.has(s))
  if (unknown.length > 0) return invalid(`Unsupported scope ${unknown.join(" ")}; supported: ${[...known].join(" ")}`)

  const redirectUris = [...new Set(uris as string[])]
  const grantTypes = [...new Set(grants as string[])]
  const metadata: Record<string, unknown> = {
    redirect_uris: redirectUris,
    token_endpoint_auth_method: method,
    grant_types: grantTypes,
    response_types: ["code"],
  }
  for (const field of TEXT_FIELDS) {
    const value = m[field]
    if (typeof value === "string" && value.length <= MAX_URI_CHARS) metadata[field] = value
  }
  const client = { authMethod: method as ClientAuthMethod, redirectUris, grantTypes, metadata }
  if (scopes.length === 0) return client
  metadata.scope = scopes.join(" ")
  return { ...client, scope: scopes.join(" ") }
}

/** Accepted: https URIs, and http on a loopback host (native apps, RFC 8252 §7.3); never a fragment. */
function redirectUriProblem(uri: unknown): string | undefined {
  if (typeof uri !== "string" || uri.length > MAX_URI_CHARS || !URL.canParse(uri)) {
    return `Each redirect URI must be an absolute URL of at most ${MAX_URI_CHARS} characters`
  }
  const url = new URL(uri)
  const shown = JSON.stringify(`${url.protocol}//${url.host}${url.pathname}`)
  if (url.hash !== "" || uri.includes("#")) return `The redirect URI ${shown} must not have a fragment`
  if (url.username || url.password) return `The redirect URI ${shown} must not carry credentials`
  if (url.protocol === "https:") return undefined
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return undefined
  return `The redirect URI ${shown} must use https, or http on localhost / a loopback address`
}

/**
 * The registered URI a request's `redirect_uri` stands for: an exact match, or for a loopback IP literal the
 * same URI on another port (RFC 8252 §7.3: native apps pick a free port at sign-in time).
 */
export function matchRedirectUri(registered: readonly string[], given: string): string | undefined {
  if (registered.includes(given)) return given
  if (!URL.canParse(given)) return undefined
  const url = new URL(given)
  if (url.protocol !== "http:" || (url.hostname !== "127.0.0.1" && url.hostname !== "[::1]") || url.hash) {
    return undefined
  }
  const same = registered.some((r) => {
    const reg = new URL(r)
    return (
      reg.protocol === "http:" &&
      reg.hostname === url.hostname &&
      reg.pathname === url.pathname &&
      reg.search === url.search
    )
  })
  return same ? given : undefined
}
