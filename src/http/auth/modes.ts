import { type Config, ConfigError } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"
import type { AuthModeName } from "./types"

export interface AuthPlan {
  mode: AuthModeName
  /** The bearer part, when a static token or a token file is configured. */
  bearer?: "single" | "mapped"
  /** The OIDC part, when configured. */
  oidc?: "remote" | "oidc-proxy"
  /** Scopes OIDC tokens must carry: none in multi mode, else the configured ones (`openid` by default for the proxy). */
  requiredScopes: string[]
  /** Start-up warnings to log. */
  warnings: string[]
}

export const NO_AUTH_WARNING = "No auth configured — server accepts unauthenticated connections"

type AuthConfig = Pick<Config, "authMode" | "baseUrl" | "bearerToken" | "bearerTokensFile" | "oidc">

/**
 * Picks the auth mode (docs/decisions.md#auth-modes): an explicit AUTH_MODE names the OIDC flavour, else it is detected
 * from the OIDC settings; a bearer token (file) adds the bearer flavour; both make `multi`, which enforces
 * no OIDC scopes so bearer callers and tokens without `openid` both get in. Throws `ConfigError` when an
 * explicit AUTH_MODE lacks the settings it needs.
 */
export function resolveAuthMode(config: AuthConfig): AuthPlan {
  const warnings: string[] = []
  const oidc = oidcFlavour(config, warnings)
  const bearer = bearerFlavour(config, warnings)
  if (oidc && bearer) return { mode: "multi", bearer, oidc, requiredScopes: [], warnings }
  if (oidc) {
    const fallback = oidc === "oidc-proxy" ? ["openid"] : []
    return { mode: oidc, oidc, requiredScopes: config.oidc.requiredScopes ?? fallback, warnings }
  }
  if (bearer)
    return { mode: bearer === "single" ? "bearer-single" : "bearer-mapped", bearer, requiredScopes: [], warnings }
  warnings.push(NO_AUTH_WARNING)
  return { mode: "none", requiredScopes: [], warnings }
}

function oidcFlavour(config: AuthConfig, warnings: string[]): AuthPlan["oidc"] {
  const { baseUrl } = config
  const { configUrl, clientId, clientSecret } = config.oidc
  if (config.authMode) {
    const needed: [string, unknown][] = [
      ["BASE_URL", baseUrl],
      ["OIDC_CONFIG_URL", configUrl],
    ]
    if (config.authMode === "oidc-proxy")
      needed.push(["OIDC_CLIENT_ID", clientId], ["OIDC_CLIENT_SECRET", clientSecret])
    const missing = needed.filter(([, value]) => !value).map(([name]) => ENV_PREFIX + name)
    if (missing.length > 0) {
      throw new ConfigError(`${ENV_PREFIX}AUTH_MODE=${config.authMode} needs ${missing.join(" and ")} to be set.`)
    }
    return config.authMode
  }
  if (!configUrl) return undefined
  if (!baseUrl) {
    warnings.push(`${ENV_PREFIX}OIDC_CONFIG_URL is set but ${ENV_PREFIX}BASE_URL is not: OIDC auth stays off.`)
    return undefined
  }
  if (clientId && clientSecret) return "oidc-proxy"
  if (clientId || clientSecret) {
    const given = clientId ? "OIDC_CLIENT_ID" : "OIDC_CLIENT_SECRET"
    warnings.push(`${ENV_PREFIX}${given} is set alone; the oidc-proxy mode needs both, using remote mode.`)
  }
  return "remote"
}

function bearerFlavour(config: AuthConfig, warnings: string[]): AuthPlan["bearer"] {
  if (config.bearerTokensFile) {
    if (config.bearerToken) {
      warnings.push(`${ENV_PREFIX}BEARER_TOKENS_FILE is set, so ${ENV_PREFIX}BEARER_TOKEN is ignored.`)
    }
    return "mapped"
  }
  return config.bearerToken ? "single" : undefined
}
