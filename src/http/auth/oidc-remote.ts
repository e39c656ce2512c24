import { type Config, ConfigError } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"
import { createLogger } from "@/util/log"
import { redact } from "@/util/redact"
import { createJwksCache } from "./jwks"
import { type JwtPolicy, verifyJwt } from "./jwt"
import type { OidcProvider, OidcProviderFactory } from "./types"

const log = createLogger("auth")

export const DISCOVERY_TIMEOUT_MS = 10_000
/** Clock skew tolerated on `exp` and `nbf`. */
export const JWT_LEEWAY_S = 30

export interface Discovery {
  issuer: string
  jwksUri: string
  /** Present when the document names a usable http(s) URL (the oidc-proxy mode needs both). */
  authorizationEndpoint?: string
  tokenEndpoint?: string
  /** `token_endpoint_auth_methods_supported`; unset means the RFC 8414 default, `client_secret_basic`. */
  tokenEndpointAuthMethods?: string[]
}

/**
 * Fetches the OpenID discovery document (10 s limit). Any failure, or a document without `issuer` or
 * `jwks_uri`, is a `ConfigError`: remote mode cannot check a token without them.
 */
export async function fetchDiscovery(configUrl: string, fetchFn: typeof fetch): Promise<Discovery> {
  const fail = (problem: string) =>
    new ConfigError(`Could not use the OIDC discovery document at ${redact(configUrl)}: ${problem}.`)
  let doc: unknown
  try {
    const res = await fetchFn(configUrl, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    })
    if (!res.ok) throw fail(`HTTP ${res.status}`)
    doc = await res.json().catch(() => {
      throw fail("the answer is not JSON")
    })
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const timedOut = error instanceof DOMException && error.name === "TimeoutError"
    throw fail(timedOut ? `no answer within ${DISCOVERY_TIMEOUT_MS / 1000} s` : redact(String(error)))
  }
  const fields = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>
  const { issuer, jwks_uri: jwksUri } = fields
  if (typeof issuer !== "string" || issuer === "") throw fail("it has no 'issuer'")
  if (!isHttpUrl(jwksUri)) throw fail("it has no usable 'jwks_uri'")
  const discovery: Discovery = { issuer, jwksUri }
  if (isHttpUrl(fields.authorization_endpoint)) discovery.authorizationEndpoint = fields.authorization_endpoint
  if (isHttpUrl(fields.token_endpoint)) discovery.tokenEndpoint = fields.token_endpoint
  const methods = fields.token_endpoint_auth_methods_supported
  if (Array.isArray(methods)) discovery.tokenEndpointAuthMethods = methods.filter((m) => typeof m === "string")
  return discovery
}

function isHttpUrl(value: unknown): value is string {
  return typeof value === "string" && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)
}

/** Scopes for `scopes_supported`: OIDC_ADVERTISED_SCOPES, else `openid offline_access` and the required ones. */
export function advertisedScopes(config: Pick<Config, "oidc">): string[] {
  const { advertisedScopes: set, requiredScopes = [] } = config.oidc
  return set ?? [...new Set(["openid", "offline_access", ...requiredScopes])]
}

/**
 * Remote mode: tokens come from an external IdP and are checked here against its JWKS (signature,
 * expiry, issuer, audience when OIDC_AUDIENCE is set, required scopes). The signing keys are fetched
 * at start-up (a failure there is only logged) and again when a token names an unknown key.
 */
export const createRemoteProvider: OidcProviderFactory = async (config, options): Promise<OidcProvider> => {
  const configUrl = config.oidc.configUrl
  if (!configUrl) throw new ConfigError(`Remote auth needs ${ENV_PREFIX}OIDC_CONFIG_URL.`)
  const { issuer, jwksUri } = await fetchDiscovery(configUrl, options.fetch)
  const jwks = createJwksCache({ url: jwksUri, fetch: options.fetch, clock: options.clock })
  await jwks.refresh()
  const policy: JwtPolicy = {
    issuer,
    audience: config.oidc.audience,
    requiredScopes: options.requiredScopes,
    leewayS: JWT_LEEWAY_S,
  }
  if (policy.audience === undefined) {
    log.warning(
      `${ENV_PREFIX}OIDC_AUDIENCE is not set: any token from ${issuer} is accepted, whichever service it was issued for.`,
    )
  }
  return {
    verifier: { verify: (token) => verifyJwt(token, jwks.lookup, policy, options.clock() / 1000) },
    authorizationServers: [issuer],
    scopesSupported: advertisedScopes(config),
    requiredScopes: options.requiredScopes,
  }
}
