import type { Context, Hono, MiddlewareHandler } from "hono"
import { type Config, normaliseHttpPath } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"
import { type Acl, localIdentity } from "@/core/access"
import { createLogger } from "@/util/log"
import { loadAcl } from "./acl"
import { createMappedVerifier, createSingleVerifier, loadTokensFile } from "./bearer"
import {
  type Challenge,
  challengeHeader,
  metadataPath,
  metadataUrl,
  mountMetadata,
  type ResourceInfo,
} from "./metadata"
import { resolveAuthMode } from "./modes"
import { createOidcProxyProvider } from "./oidc-proxy"
import { createRemoteProvider } from "./oidc-remote"
import type { AuthDeps, AuthEnv, AuthModeName, OidcProvider, TokenVerifier, VerifyResult } from "./types"

const log = createLogger("auth")

export interface Auth {
  mode: AuthModeName
  /** Guards the MCP path: no valid credential → 401 (403 for a token lacking a required scope). */
  middleware: MiddlewareHandler<AuthEnv>
  /** Mounts the public routes: protected-resource metadata (not in mode none) and the OIDC flavour's own. */
  routes(app: Hono): void
  /** App-relative path of the metadata document; undefined in mode none. */
  metadataPath?: string
  /** The ACL from IMAGE_GENERATION_MCP_ACL_PATH, for `aclCheck` in the MCP layer; undefined when not configured. */
  acl?: Acl
  /** Releases what the auth layer opened; call after the server stops. */
  close(): void
}

const BEARER_TOKEN = /^Bearer[ \t]+([^\s]+)[ \t]*$/i

/**
 * Builds the HTTP auth layer for the resolved mode (docs/decisions.md#auth-modes). Start-up problems (an unreadable
 * token file or ACL, an unreachable discovery document) throw `ConfigError`; warnings are logged.
 */
export async function createAuth(config: Config, deps: AuthDeps = {}): Promise<Auth> {
  const plan = resolveAuthMode(config)
  for (const warning of plan.warnings) log.warning(warning)
  const acl = config.aclPath ? await loadAcl(config.aclPath) : undefined
  if (acl && plan.mode === "none") log.warning(`${ENV_PREFIX}ACL_PATH is set without auth: every caller is 'local'.`)
  log.info(`Auth mode: ${plan.mode}`)
  if (plan.mode === "none") {
    return { mode: "none", middleware: setIdentity, routes: () => {}, acl, close: () => {} }
  }

  const verifiers: TokenVerifier[] = []
  if (plan.bearer === "mapped" && config.bearerTokensFile) {
    verifiers.push(createMappedVerifier(await loadTokensFile(config.bearerTokensFile)))
  } else if (plan.bearer === "single" && config.bearerToken) {
    verifiers.push(createSingleVerifier(config.bearerToken, config.bearerDefaultSubject))
  }
  let oidc: OidcProvider | undefined
  if (plan.oidc) {
    const factory = plan.oidc === "remote" ? createRemoteProvider : (deps.oidcProxy ?? createOidcProxyProvider)
    const options = {
      requiredScopes: plan.requiredScopes,
      fetch: deps.fetch ?? fetch,
      clock: deps.clock ?? Date.now,
      storage: deps.storage,
    }
    oidc = await factory(config, options)
    verifiers.push(oidc.verifier)
  }

  const path = normaliseHttpPath(config.httpPath)
  const info: ResourceInfo = { baseUrl: config.baseUrl, path, name: config.serverName, oidc }
  const requiredScopes = oidc?.requiredScopes ?? []
  const refuse = (c: Context, challenge: Challenge) => {
    const status = challenge.error === "insufficient_scope" ? 403 : 401
    c.header("www-authenticate", challengeHeader({ scopes: requiredScopes, ...challenge }, metadataUrl(info, c)))
    c.header("cache-control", "no-store")
    const body = challenge.error
      ? { error: challenge.error, error_description: challenge.description }
      : { error: "unauthorized", error_description: "Authentication required" }
    return c.json(body, status)
  }

  const middleware: MiddlewareHandler<AuthEnv> = async (c, next) => {
    const header = c.req.header("authorization")
    if (header === undefined) {
      log.debug("Refused a request without credentials", { method: c.req.method, path: c.req.path })
      return refuse(c, {})
    }
    const token = BEARER_TOKEN.exec(header)?.[1]
    const result = token ? await verifyAny(verifiers, token) : undefined
    if (!result?.ok) {
      const reason = result?.reason ?? "not a Bearer authorization header"
      log.info("Refused a request with invalid credentials", { reason, method: c.req.method, path: c.req.path })
      if (result?.error === "insufficient_scope") {
        return refuse(c, { error: "insufficient_scope", description: "The access token lacks a required scope" })
      }
      return refuse(c, { error: "invalid_token", description: "The access token is invalid" })
    }
    c.set("auth", result.identity)
    await next()
  }

  return {
    mode: plan.mode,
    middleware,
    routes(app) {
      mountMetadata(app, info)
      oidc?.routes?.(app)
    },
    metadataPath: metadataPath(path),
    acl,
    close: () => oidc?.close?.(),
  }
}

const setIdentity: MiddlewareHandler<AuthEnv> = async (c, next) => {
  c.set("auth", localIdentity())
  await next()
}

/** First success wins; else a scope refusal if any (it tells the client to step up), else the last failure. */
async function verifyAny(verifiers: TokenVerifier[], token: string): Promise<VerifyResult> {
  const failures: VerifyResult[] = []
  for (const verifier of verifiers) {
    const result = await verifier.verify(token)
    if (result.ok) return result
    failures.push(result)
  }
  const scope = failures.find((f) => !f.ok && f.error === "insufficient_scope")
  return scope ?? failures.at(-1) ?? { ok: false, error: "invalid_token", reason: "no verifier" }
}
