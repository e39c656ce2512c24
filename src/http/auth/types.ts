import type { Hono } from "hono"
import type { Config } from "@/config/config"
import type { Identity } from "@/core/access"
import type { Storage } from "@/storage"

/** Every auth mode the resolver knows. */
export type AuthModeName = "none" | "bearer-single" | "bearer-mapped" | "remote" | "oidc-proxy" | "multi"

/** Hono `Env` of a route behind the auth middleware: the verified caller is `c.get("auth")`. */
export interface AuthEnv {
  Variables: { auth: Identity }
}

/**
 * Result of checking one credential. `reason` is for the server log only (never the client) and never
 * contains the token; `scopes` lists what an `insufficient_scope` refusal is missing.
 */
export type VerifyResult =
  | { ok: true; identity: Identity }
  | { ok: false; error: "invalid_token" | "insufficient_scope"; reason: string; scopes?: string[] }

export interface TokenVerifier {
  verify(token: string): Promise<VerifyResult>
}

/** Injected for tests; production uses the globals. */
export interface AuthDeps {
  fetch?: typeof fetch
  /** Milliseconds since the epoch. @default Date.now */
  clock?: () => number
  /** Builds the oidc-proxy flavour. @default createOidcProxyProvider */
  oidcProxy?: OidcProviderFactory
  /** The server's stores; the oidc-proxy mode keeps its clients and refresh tokens in `oauth`. */
  storage?: Pick<Storage, "oauth" | "where">
}

/** An OIDC flavour (remote JWKS validation, or the oidc-proxy) as the middleware uses it. */
export interface OidcProvider {
  verifier: TokenVerifier
  /** Advertised in the protected-resource metadata: the IdP issuer (remote) or BASE_URL (proxy). */
  authorizationServers: string[]
  /** Scopes named in `scopes_supported` of the metadata. */
  scopesSupported: string[]
  /** Scopes a token must carry, also put in the challenge's `scope` parameter. */
  requiredScopes: string[]
  /** Extra public routes the flavour needs (the proxy's /authorize, /token, /register…). */
  routes?(app: Hono): void
  /** Releases what the flavour opened. */
  close?(): void
}

export interface OidcProviderOptions {
  /** Scopes to enforce: the configured ones, or none in multi mode. */
  requiredScopes: string[]
  fetch: typeof fetch
  clock: () => number
  storage?: Pick<Storage, "oauth" | "where">
}

export type OidcProviderFactory = (config: Config, options: OidcProviderOptions) => Promise<OidcProvider>
