import { type Config, ConfigError } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"
import { redact } from "@/util/redact"
import { createJwksCache } from "../jwks"
import { checkClaims, type JwtPolicy, verifyJwtSignature } from "../jwt"
import { fetchDiscovery, JWT_LEEWAY_S } from "../oidc-remote"

const TOKEN_TIMEOUT_MS = 10_000
const ERROR_CODE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/

/**
 * What a verified upstream sign-in yields: the subject, and the scopes the IdP says it granted (its answer's
 * `scope`; undefined when it sent none, which means what was asked, RFC 6749 §5.1).
 */
export type UpstreamResult = { ok: true; subject: string; granted?: string[] } | { ok: false; reason: string }

/** The IdP this server signs users in with (its own client id and secret, its own PKCE). */
export interface Upstream {
  issuer: string
  /** The IdP's authorization URL for one sign-in. */
  authorizeUrl(request: { state: string; nonce: string; challenge: string; scopes: string[] }): string
  /** Redeems the IdP's code and verifies the id_token (or the access token, when so configured). */
  exchange(code: string, verifier: string, nonce: string): Promise<UpstreamResult>
}

export interface UpstreamOptions {
  /** `<BASE_URL>/auth/callback`, registered at the IdP. */
  callbackUrl: string
  fetch: typeof fetch
  clock: () => number
}

/**
 * Reads the IdP's discovery document (10 s limit; failures are `ConfigError`s) and loads its keys. The
 * proxy needs `authorization_endpoint` and `token_endpoint` besides what remote mode needs.
 */
export async function connectUpstream(config: Config, options: UpstreamOptions): Promise<Upstream> {
  const { configUrl, clientId, clientSecret, audience, verifyAccessToken } = config.oidc
  if (!configUrl || !clientId || !clientSecret) {
    throw new ConfigError(
      `The oidc-proxy auth mode needs ${ENV_PREFIX}OIDC_CONFIG_URL, ${ENV_PREFIX}OIDC_CLIENT_ID and ${ENV_PREFIX}OIDC_CLIENT_SECRET.`,
    )
  }
  const discovery = await fetchDiscovery(configUrl, options.fetch)
  const { issuer, authorizationEndpoint, tokenEndpoint } = discovery
  if (!authorizationEndpoint || !tokenEndpoint) {
    const missing = authorizationEndpoint ? "token_endpoint" : "authorization_endpoint"
    throw new ConfigError(`Could not use the OIDC discovery document at ${redact(configUrl)}: it has no '${missing}'.`)
  }
  const jwks = createJwksCache({ url: discovery.jwksUri, fetch: options.fetch, clock: options.clock })
  await jwks.refresh()
  const methods = discovery.tokenEndpointAuthMethods
  const useBasic = !methods || methods.includes("client_secret_basic") || !methods.includes("client_secret_post")
  const policy: JwtPolicy = verifyAccessToken
    ? { issuer, audience, requiredScopes: [], leewayS: JWT_LEEWAY_S }
    : { issuer, audience: clientId, requiredScopes: [], leewayS: JWT_LEEWAY_S }

  const redeem = async (code: string, verifier: string): Promise<Record<string, unknown> | string> => {
    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: options.callbackUrl,
      code_verifier: verifier,
    })
    const headers: Record<string, string> = { accept: "application/json" }
    if (useBasic) {
      headers.authorization = basicAuth(clientId, clientSecret)
    } else {
      form.set("client_id", clientId)
      form.set("client_secret", clientSecret)
    }
    let res: Response
    try {
      res = await options.fetch(tokenEndpoint, {
        method: "POST",
        headers,
        body: form,
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      })
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === "TimeoutError"
      return `token endpoint unreachable: ${timedOut ? `no answer within ${TOKEN_TIMEOUT_MS / 1000} s` : redact(String(error))}`
    }
    const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined
    if (!res.ok) {
      const code = typeof body?.error === "string" && ERROR_CODE.test(body.error) ? ` (${body.error})` : ""
      return `token endpoint answered HTTP ${res.status}${code}`
    }
    return typeof body === "object" && body !== null ? body : "token endpoint answer is not a JSON object"
  }

  return {
    issuer,
    authorizeUrl({ state, nonce, challenge, scopes }) {
      const url = new URL(authorizationEndpoint)
      const params = {
        response_type: "code",
        client_id: clientId,
        redirect_uri: options.callbackUrl,
        scope: scopes.join(" "),
        state,
        nonce,
        code_challenge: challenge,
        code_challenge_method: "S256",
      }
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
      return url.href
    },
    async exchange(code, verifier, nonce) {
      const answer = await redeem(code, verifier)
      if (typeof answer === "string") return { ok: false, reason: answer }
      const kind = verifyAccessToken ? "access_token" : "id_token"
      const token = answer[kind]
      if (typeof token !== "string") return { ok: false, reason: `token endpoint answer has no ${kind}` }
      const signed = await verifyJwtSignature(token, jwks.lookup)
      if (!signed.ok) return { ok: false, reason: `upstream ${kind}: ${signed.reason}` }
      const { claims } = signed
      const checked = checkClaims(claims, policy, options.clock() / 1000)
      if (!checked.ok) return { ok: false, reason: `upstream ${kind}: ${checked.reason}` }
      if (typeof claims.sub !== "string" || claims.sub === "")
        return { ok: false, reason: `upstream ${kind} has no sub` }
      if (!verifyAccessToken) {
        if (claims.nonce !== nonce) return { ok: false, reason: "upstream id_token nonce mismatch" }
        if (claims.azp !== undefined && claims.azp !== clientId) {
          return { ok: false, reason: "upstream id_token was issued to another client (azp)" }
        }
      }
      const granted = typeof answer.scope === "string" ? answer.scope.split(" ").filter(Boolean) : undefined
      return granted === undefined ? { ok: true, subject: claims.sub } : { ok: true, subject: claims.sub, granted }
    },
  }
}

/** RFC 6749 §2.3.1: both parts form-encoded, then Basic. */
function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+")
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`
}
