import type { OAuthStore } from "@/storage"
import type { Logger } from "@/util/log"
import type { ExpiringMap } from "./pending"
import type { TokenService } from "./tokens"
import type { Upstream } from "./upstream"

/** A sign-in must finish within this, from the consent page to the IdP's answer. */
export const SIGN_IN_TTL_MS = 10 * 60_000

/** What a validated /authorize request asks for. */
export interface SignInRequest {
  clientId: string
  redirectUri: string
  /** Whether /authorize named the redirect URI (then /token must repeat it). */
  redirectUriGiven: boolean
  codeChallenge: string
  /** The client's `state`, echoed back. */
  state?: string
  scopes: string[]
  /** SHA-256 of the browser cookie of the user agent that was shown the consent page. */
  browser: string
}

/** A sign-in between the approved consent and /auth/callback, keyed by the `state` sent to the IdP. */
export interface Transaction extends SignInRequest {
  /** Our PKCE verifier and nonce for the IdP. */
  upstreamVerifier: string
  nonce: string
}

/** What an authorization code we issued stands for, until /token redeems it. */
export interface CodeGrant {
  clientId: string
  redirectUri: string
  redirectUriGiven: boolean
  codeChallenge: string
  scopes: string[]
  subject: string
}

/** Everything the proxy's routes share. */
export interface ProxyContext {
  /** BASE_URL without a trailing slash. */
  issuer: string
  /** The MCP endpoint's URL (BASE_URL + HTTP path): the only resource tokens are issued for. */
  resource: string
  scopesSupported: string[]
  requiredScopes: string[]
  store: OAuthStore
  upstream: Upstream
  tokens: TokenService
  /** /authorize requests waiting for the user's answer on the consent page, by consent id. */
  consents: ExpiringMap<SignInRequest>
  transactions: ExpiringMap<Transaction>
  codes: ExpiringMap<CodeGrant>
  /** Codes already redeemed → their grant id, so a replay revokes what the first use got. */
  spentCodes: ExpiringMap<string>
  clock: () => number
  log: Logger
}

/** RFC 8707: a `resource` parameter, when sent, must name our MCP endpoint (a trailing slash aside). */
export function resourceMatches(ctx: Pick<ProxyContext, "resource">, resource: string | undefined): boolean {
  const trim = (value: string) => value.replace(/\/+$/, "")
  return resource === undefined || trim(resource) === trim(ctx.resource)
}
