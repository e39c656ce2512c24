import type { OAuthStore, RefreshRecord } from "@/storage"
import { checkClaims } from "../jwt"
import { JWT_LEEWAY_S } from "../oidc-remote"
import type { TokenVerifier } from "../types"
import type { TokenSigner } from "./signing"
import { randomToken, sha256 } from "./util"

export const ACCESS_TOKEN_TTL_S = 3600
export const REFRESH_TOKEN_TTL_S = 30 * 86_400
const ACCESS_TYP = "at+jwt"
const REFRESH_TYP = "rt+jwt"

/** One sign-in's tokens are issued for this. */
export interface Grant {
  /** Shared by every refresh token of the sign-in, so reuse of a spent one revokes them all. */
  grantId: string
  clientId: string
  subject: string
  /** The access token's scopes. */
  scopes: string[]
  /** The sign-in's scopes, kept by its refresh token; a refresh that narrows `scopes` does not narrow these. */
  grantedScopes?: string[]
  /** Whether the client registered the refresh_token grant. */
  refresh: boolean
}

/** The token endpoint's success body (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string
  token_type: "Bearer"
  expires_in: number
  refresh_token?: string
  scope: string
}

export type RefreshResult =
  | { ok: true; record: RefreshRecord; scopes: string[] }
  | { ok: false; error: "invalid_grant" | "invalid_scope"; reason: string }

export interface TokenService {
  issue(grant: Grant): Promise<TokenResponse>
  /**
   * Checks and spends a refresh token of `clientId`; a token spent before revokes its whole grant. `scopes`
   * may narrow the grant (RFC 6749 §6); asking for more is refused before anything is spent.
   */
  redeemRefresh(token: string, clientId: string, scopes?: string[]): Promise<RefreshResult>
  /** Checks our access tokens on the MCP endpoint. */
  verifier(requiredScopes: string[]): TokenVerifier
}

export interface TokenServiceOptions {
  signer: TokenSigner
  store: OAuthStore
  /** BASE_URL: `iss` of every token, and the refresh token's audience. */
  issuer: string
  /** The MCP endpoint URL: the access token's audience. */
  resource: string
  clock: () => number
}

/**
 * Access tokens are stateless JWTs (1 h). Refresh tokens are JWTs too (30 days) whose `jti` digest must be
 * live in the store: each use rotates it, so a copy that is used after its owner refreshed is caught.
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const { signer, store, issuer, resource } = options
  const nowS = () => Math.floor(options.clock() / 1000)

  return {
    async issue(grant) {
      const iat = nowS()
      const scope = grant.scopes.join(" ")
      const access = await signer.sign(ACCESS_TYP, {
        iss: issuer,
        aud: resource,
        sub: grant.subject,
        client_id: grant.clientId,
        scope,
        iat,
        exp: iat + ACCESS_TOKEN_TTL_S,
        jti: randomToken(16),
      })
      const body: TokenResponse = { access_token: access, token_type: "Bearer", expires_in: ACCESS_TOKEN_TTL_S, scope }
      if (!grant.refresh) return body
      const jti = randomToken(16)
      const exp = iat + REFRESH_TOKEN_TTL_S
      body.refresh_token = await signer.sign(REFRESH_TYP, {
        iss: issuer,
        aud: issuer,
        sub: grant.subject,
        client_id: grant.clientId,
        iat,
        exp,
        jti,
      })
      await store.sweep(iat)
      const { grantId, clientId, subject } = grant
      const scopes = grant.grantedScopes ?? grant.scopes
      await store.addRefreshToken({ tokenHash: sha256(jti), grantId, clientId, subject, scopes, expiresAt: exp }, iat)
      return body
    },

    async redeemRefresh(token, clientId, scopes) {
      const invalid = (reason: string) => ({ ok: false as const, error: "invalid_grant" as const, reason })
      const signed = await signer.verify(token, REFRESH_TYP)
      if (!signed.ok) return invalid(signed.reason)
      const { iss, aud, exp, jti } = signed.claims
      if (iss !== issuer || aud !== issuer) return invalid("refresh token for another issuer")
      if (typeof exp !== "number" || exp <= nowS()) return invalid("refresh token expired")
      if (typeof jti !== "string") return invalid("refresh token without jti")
      const tokenHash = sha256(jti)
      const granted = await store.findRefreshToken(tokenHash)
      const wider = granted?.clientId === clientId ? (scopes ?? []).filter((s) => !granted.scopes.includes(s)) : []
      if (wider.length > 0)
        return { ok: false, error: "invalid_scope", reason: `scope ${wider.join(" ")} was not granted` }
      const rotation = await store.rotateRefreshToken(tokenHash, clientId, nowS())
      if (rotation.status === "unknown") return invalid("refresh token unknown, revoked or not this client's")
      if (rotation.status === "reused") {
        const revoked = await store.revokeGrant(rotation.record.grantId)
        return invalid(`refresh token used twice; revoked its sign-in (${revoked} token(s))`)
      }
      return { ok: true, record: rotation.record, scopes: scopes ?? rotation.record.scopes }
    },

    verifier(requiredScopes) {
      const policy = { issuer, audience: resource, requiredScopes, leewayS: JWT_LEEWAY_S }
      return {
        async verify(token) {
          const signed = await signer.verify(token, ACCESS_TYP)
          if (!signed.ok) return { ok: false, error: "invalid_token", reason: signed.reason }
          return checkClaims(signed.claims, policy, options.clock() / 1000)
        },
      }
    },
  }
}
