import type { Context, Hono } from "hono"
import { ConfigError, normaliseHttpPath } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"
import { rateLimit } from "@/http/edge/rate-limit"
import { createLogger } from "@/util/log"
import { registerSecret } from "@/util/redact"
import { advertisedScopes } from "../oidc-remote"
import type { OidcProvider, OidcProviderFactory } from "../types"
import { authorizeHandler, callbackHandler, redirectUpstream } from "./authorize"
import { consentHandler } from "./consent"
import { type CodeGrant, type ProxyContext, SIGN_IN_TTL_MS, type SignInRequest, type Transaction } from "./context"
import { createExpiringMap } from "./pending"
import { GRANT_TYPES, registerHandler } from "./register"
import { createTokenSigner } from "./signing"
import { tokenHandler } from "./token"
import { createTokenService } from "./tokens"
import { connectUpstream } from "./upstream"

const log = createLogger("auth")

export { SIGN_IN_TTL_MS } from "./context"

/** Requests per minute and client address across the OAuth routes (/register, /authorize, /token…). */
export const OAUTH_REQUESTS_PER_MINUTE = 60
/** Our authorization codes must be redeemed within this. */
export const CODE_TTL_MS = 5 * 60_000
const MAX_PENDING = 10_000
const MIN_KEY_CHARS = 32

/**
 * The oidc-proxy mode (docs/decisions.md#auth-modes): an OAuth 2.1 authorization server at BASE_URL for MCP clients,
 * with dynamic client registration, that signs users in at an IdP without DCR (using the server's own
 * client credentials) and issues its own tokens. Clients and refresh tokens persist in the storage's OAuth store.
 */
export const createOidcProxyProvider: OidcProviderFactory = async (config, options): Promise<OidcProvider> => {
  if (!config.baseUrl) throw new ConfigError(`The oidc-proxy auth mode needs ${ENV_PREFIX}BASE_URL.`)
  const issuer = config.baseUrl.replace(/\/+$/, "")
  const resource = `${issuer}${normaliseHttpPath(config.httpPath)}`
  registerSecret(config.oidc.clientSecret)
  registerSecret(config.oidc.jwtSigningKey)
  const { clock } = options
  const upstream = await connectUpstream(config, {
    callbackUrl: `${issuer}/auth/callback`,
    fetch: options.fetch,
    clock,
  })
  const key = config.oidc.jwtSigningKey
  if (key === undefined) {
    log.warning(
      `${ENV_PREFIX}OIDC_JWT_SIGNING_KEY is not set: tokens are signed with a random key and stop working when the server restarts.`,
    )
  } else if (key.length < MIN_KEY_CHARS) {
    log.warning(
      `${ENV_PREFIX}OIDC_JWT_SIGNING_KEY is shorter than ${MIN_KEY_CHARS} characters; use a long random value.`,
    )
  }
  if (config.oidc.verifyAccessToken && config.oidc.audience === undefined) {
    log.warning(
      `${ENV_PREFIX}OIDC_VERIFY_ACCESS_TOKEN is on without ${ENV_PREFIX}OIDC_AUDIENCE: the IdP's access tokens are accepted whichever service they were issued for.`,
    )
  }
  const signer = await createTokenSigner(key)
  if (!options.storage) throw new Error("The oidc-proxy auth mode needs the server's storage (AuthDeps.storage)")
  const store = options.storage.oauth
  const where = options.storage.where.kv
  log.info(`OAuth clients and refresh tokens are kept in ${where}`)
  if (where === "memory") log.warning("Registered OAuth clients are kept in memory: a restart forgets them.")

  const scopesSupported = [...new Set([...advertisedScopes(config), ...options.requiredScopes])]
  const ctx: ProxyContext = {
    issuer,
    resource,
    scopesSupported,
    requiredScopes: options.requiredScopes,
    store,
    upstream,
    tokens: createTokenService({ signer, store, issuer, resource, clock }),
    consents: createExpiringMap<SignInRequest>(SIGN_IN_TTL_MS, MAX_PENDING, clock),
    transactions: createExpiringMap<Transaction>(SIGN_IN_TTL_MS, MAX_PENDING, clock),
    codes: createExpiringMap<CodeGrant>(CODE_TTL_MS, MAX_PENDING, clock),
    spentCodes: createExpiringMap<string>(CODE_TTL_MS, MAX_PENDING, clock),
    clock,
    log,
  }
  return {
    verifier: ctx.tokens.verifier(options.requiredScopes),
    authorizationServers: [issuer],
    scopesSupported,
    requiredScopes: options.requiredScopes,
    routes: (app) => mountProxyRoutes(app, ctx),
  }
}

function mountProxyRoutes(app: Hono, ctx: ProxyContext): void {
  const limit = rateLimit({ windowMs: 60_000, max: OAUTH_REQUESTS_PER_MINUTE })
  for (const path of ["/register", "/authorize", "/authorize/consent", "/auth/callback", "/token"]) app.use(path, limit)
  const metadata = (c: Context) => {
    c.header("cache-control", "public, max-age=300")
    return c.json(authorizationServerMetadata(ctx))
  }
  // RFC 8414 §3 puts an issuer's path after the well-known name; the plain path serves a proxy that strips it.
  const basePath = new URL(ctx.issuer).pathname.replace(/\/+$/, "")
  for (const path of new Set([WELL_KNOWN, `${WELL_KNOWN}${basePath}`])) app.get(path, metadata)
  app.post("/register", registerHandler(ctx))
  app.get("/authorize", authorizeHandler(ctx))
  app.post("/authorize/consent", consentHandler(ctx, redirectUpstream(ctx)))
  app.get("/auth/callback", callbackHandler(ctx))
  app.post("/token", tokenHandler(ctx))
}

const WELL_KNOWN = "/.well-known/oauth-authorization-server"

/** RFC 8414 authorization server metadata. */
export function authorizationServerMetadata(ctx: Pick<ProxyContext, "issuer" | "scopesSupported">) {
  const { issuer } = ctx
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    scopes_supported: ctx.scopesSupported,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: GRANT_TYPES,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    code_challenge_methods_supported: ["S256"],
    authorization_response_iss_parameter_supported: true,
  }
}
