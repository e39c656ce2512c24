import { homedir } from "node:os"
import { join } from "node:path"
import { aliasTarget, PROVIDER_DEFINITIONS } from "@/providers/index"
import type { ProviderSettingsByName } from "@/providers/registry"
import type { LogLevel } from "@/util/log"
import { ENV_PREFIX, type EnvSource } from "./env"
import { checkUrl, readProviderSettings } from "./provider-settings"
import { ConfigError, EnvReader } from "./reader"

export { ConfigError } from "./reader"

/** The most IMAGE_GENERATION_MCP_MAX_IMAGES_PER_CALL may allow. */
export const MAX_IMAGES_PER_CALL_LIMIT = 16

export interface TransferConfig {
  ttlDefaultS: number
  ttlMaxS: number
  graceTtlS: number
  leaseS: number
  maxUploadBytes: number
}

export interface OidcConfig {
  configUrl?: string
  clientId?: string
  clientSecret?: string
  audience?: string
  requiredScopes?: string[]
  /** Scopes listed in the protected-resource metadata; unset means `openid offline_access` plus the required ones. */
  advertisedScopes?: string[]
  jwtSigningKey?: string
  verifyAccessToken: boolean
}

/** The validated, frozen configuration. Only `config/` reads the environment. */
export interface Config {
  readOnly: boolean
  scratchDir: string
  stylesDir: string
  dbPath: string
  /** `postgres://…`: every store in PostgreSQL instead of the SQLite file at `dbPath`. */
  databaseUrl?: string
  /** `s3://bucket/prefix`: image bytes and sidecars in object storage instead of `scratchDir`. */
  blobStoreUrl?: string
  /** The S3 client's settings for `blobStoreUrl` (`S3_*` and their `AWS_*` names), as the environment has them. */
  blobStoreEnv: Readonly<Record<string, string | undefined>>
  /** Each provider's settings by provider name, as its definition declares them (see src/providers/index.ts). */
  providers: ProviderSettingsByName
  defaultProvider: string
  transformCacheSize: number
  /** Total bytes the transform cache may hold. */
  transformCacheMaxBytes: number
  /** Providers that need a cost confirmation; empty turns confirmation off. */
  paidProviders: string[]
  /** USD every caller together may spend per UTC day; unset means no daily limit. */
  dailyBudgetUsd?: number
  /** USD every caller together may spend per UTC month; unset means no monthly limit. */
  monthlyBudgetUsd?: number
  /** TOML file of per-subject daily and monthly limits; unset means none. */
  budgetsFile?: string
  /** TOML file of prices that extend and override the built-in price table; unset means the table alone. */
  pricesFile?: string
  /** Ask providers for previews while generating (OpenAI partial images cost extra output tokens). */
  livePreviews: boolean
  allowLocalFileInput: boolean
  maxInputImageBytes: number
  maxInputPixels: number
  fetchTimeoutS: number
  /** Seconds a failed or cancelled generation stays reportable (status, gallery, regenerate). */
  failedJobTtlS: number
  /** The largest `n` one generate_image, transform_image or regenerate_image call may ask for. */
  maxImagesPerCall: number
  /** Seconds a generation's lease lasts; the server running it renews it, and others wait this long for it. */
  jobLeaseS: number
  serverName: string
  instructions?: string
  appDomain?: string
  httpPath: string
  transport: "stdio" | "http" | "sse"
  host: string
  port: number
  baseUrl?: string
  /** Host names accepted in Host/Origin headers on HTTP, besides the bind host and localhost. */
  allowedHosts: string[]
  sessionIdleTimeoutS: number
  /** Most concurrent HTTP sessions; an initialize past it gets 503 with Retry-After. */
  maxSessions: number
  /** Largest request body on the MCP endpoint; base64 image inputs need room. */
  maxRequestBytes: number
  /** Browser origins allowed to call the HTTP server (CORS); empty turns CORS off. */
  corsOrigins: string[]
  bearerToken?: string
  bearerTokensFile?: string
  bearerDefaultSubject: string
  /** TOML file granting scopes per subject (`[subjects] "<subject>" = ["read", "write"]`); unset means no ACL. */
  aclPath?: string
  authMode?: "remote" | "oidc-proxy"
  oidc: OidcConfig
  kvStoreUrl?: string
  eventStoreUrl?: string
  transfer: TransferConfig
  debugPort?: number
  debugWait: boolean
  logLevel: LogLevel
  /** JSON log lines (`true`), text (`false`), or decided by whether stderr is a terminal (`undefined`). */
  logJson?: boolean
}

export interface LoadedConfig {
  config: Config
  warnings: string[]
}

const LEVEL_NAMES: Record<string, LogLevel> = {
  debug: "debug",
  info: "info",
  warn: "warning",
  warning: "warning",
  error: "error",
  critical: "critical",
}

/** Parses the environment into a `Config`. Throws `ConfigError` for values that cannot work. */
export function loadConfig(env: EnvSource, home = homedir()): LoadedConfig {
  const r = new EnvReader(env)
  const stateDir = join(home, ".image-generation-mcp")
  const config: Config = {
    readOnly: r.bool("READ_ONLY", true),
    scratchDir: expandHome(r.string("SCRATCH_DIR"), home) ?? join(stateDir, "images"),
    stylesDir: expandHome(r.string("STYLES_DIR"), home) ?? join(stateDir, "styles"),
    dbPath: expandHome(r.string("DB_PATH"), home) ?? join(stateDir, "state.sqlite"),
    databaseUrl: databaseUrl(r),
    blobStoreUrl: blobStoreUrl(r),
    blobStoreEnv: Object.fromEntries(S3_ENV.map((name) => [name, env[name]]).filter(([, value]) => value)),
    providers: readProviderSettings(r, (path) => expandHome(path, home)),
    defaultProvider: defaultProvider(r),
    transformCacheSize: r.int("TRANSFORM_CACHE_SIZE", 64, { min: 0 }),
    transformCacheMaxBytes: r.int("TRANSFORM_CACHE_MAX_BYTES", 256 * 1024 * 1024, { min: 0 }),
    paidProviders: paidProviders(r),
    dailyBudgetUsd: budget(r, "DAILY_BUDGET_USD"),
    monthlyBudgetUsd: budget(r, "MONTHLY_BUDGET_USD"),
    budgetsFile: expandHome(r.string("BUDGETS_FILE"), home),
    pricesFile: expandHome(r.string("PRICES_FILE"), home),
    livePreviews: r.bool("LIVE_PREVIEWS", true),
    allowLocalFileInput: r.bool("ALLOW_LOCAL_FILE_INPUT", false),
    maxInputImageBytes: r.int("MAX_INPUT_IMAGE_BYTES", 20 * 1024 * 1024, { min: 1 }),
    maxInputPixels: r.int("MAX_INPUT_PIXELS", 40_000_000, { min: 1 }),
    fetchTimeoutS: r.number("FETCH_TIMEOUT_S", 30, { exclusiveMin: 0 }),
    failedJobTtlS: r.number("FAILED_JOB_TTL_S", 86_400, { exclusiveMin: 0 }),
    maxImagesPerCall: r.int("MAX_IMAGES_PER_CALL", 4, { min: 1, max: MAX_IMAGES_PER_CALL_LIMIT }),
    jobLeaseS: r.number("JOB_LEASE_S", 30, { exclusiveMin: 0 }),
    serverName: r.string("SERVER_NAME") ?? "image-generation-mcp",
    instructions: r.string("INSTRUCTIONS"),
    appDomain: r.string("APP_DOMAIN"),
    httpPath: normaliseHttpPath(r.string("HTTP_PATH")),
    transport: transport(r),
    host: r.string("HOST") ?? "127.0.0.1",
    port: r.int("PORT", 8000, { min: 1, max: 65535 }),
    baseUrl: url(r, "BASE_URL"),
    allowedHosts: (r.list("ALLOWED_HOSTS") ?? []).map((h) => h.toLowerCase()),
    sessionIdleTimeoutS: r.number("SESSION_IDLE_TIMEOUT_S", 1800, { exclusiveMin: 0 }),
    maxSessions: r.int("MAX_SESSIONS", 100, { min: 1 }),
    maxRequestBytes: r.int("MAX_REQUEST_BYTES", 32 * 1024 * 1024, { min: 1024 }),
    corsOrigins: corsOrigins(r),
    bearerToken: r.string("BEARER_TOKEN"),
    bearerTokensFile: expandHome(r.string("BEARER_TOKENS_FILE"), home),
    bearerDefaultSubject: r.string("BEARER_DEFAULT_SUBJECT") ?? "bearer-anon",
    aclPath: expandHome(r.string("ACL_PATH"), home),
    authMode: authMode(r),
    oidc: {
      configUrl: url(r, "OIDC_CONFIG_URL"),
      clientId: r.string("OIDC_CLIENT_ID"),
      clientSecret: r.string("OIDC_CLIENT_SECRET"),
      audience: r.string("OIDC_AUDIENCE"),
      requiredScopes: r
        .string("OIDC_REQUIRED_SCOPES")
        ?.split(/[\s,]+/)
        .filter(Boolean),
      advertisedScopes: r
        .string("OIDC_ADVERTISED_SCOPES")
        ?.split(/[\s,]+/)
        .filter(Boolean),
      jwtSigningKey: r.string("OIDC_JWT_SIGNING_KEY"),
      verifyAccessToken: r.bool("OIDC_VERIFY_ACCESS_TOKEN", false),
    },
    kvStoreUrl: storeUrl(r, "KV_STORE_URL"),
    eventStoreUrl: storeUrl(r, "EVENT_STORE_URL"),
    transfer: transferConfig(r),
    debugPort: optionalPort(r, "DEBUG_PORT"),
    debugWait: r.bool("DEBUG_WAIT", false),
    logLevel: logLevel(r),
    logJson: logJson(r),
  }
  return { config: Object.freeze(config), warnings: r.warnings }
}

function expandHome(path: string | undefined, home: string): string | undefined {
  if (path === undefined) return undefined
  if (path === "~") return home
  return path.startsWith("~/") ? join(home, path.slice(2)) : path
}

function defaultProvider(r: EnvReader): string {
  const value = r.string("DEFAULT_PROVIDER")?.toLowerCase() ?? "auto"
  const target = aliasTarget(value)
  if (target === undefined) return value
  r.warnings.push(`${ENV_PREFIX}DEFAULT_PROVIDER=${value} is deprecated; use ${target} instead.`)
  return target
}

function paidProviders(r: EnvReader): string[] {
  const value = r.stringOrEmpty("PAID_PROVIDERS")
  if (value === undefined) return PROVIDER_DEFINITIONS.filter((d) => d.paidByDefault).map((d) => d.name)
  return value
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean)
}

/** An amount in USD, 0 or more; anything else stops start-up rather than leaving spending unlimited. */
function budget(r: EnvReader, name: string): number | undefined {
  const value = r.string(name)
  if (value === undefined) return undefined
  const amount = Number(value)
  if (value.startsWith("-") && Number.isFinite(amount)) {
    throw new ConfigError(
      `${ENV_PREFIX}${name}=${value} is invalid: a budget cannot be negative (0 allows only free calls).`,
    )
  }
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(amount)) {
    throw new ConfigError(
      `${ENV_PREFIX}${name}=${JSON.stringify(value)} is invalid: expected an amount in USD such as 5 or 12.50.`,
    )
  }
  return amount
}

export function normaliseHttpPath(path: string | undefined): string {
  let out = path?.trim() || "/mcp"
  if (!out.startsWith("/")) out = `/${out}`
  if (out.length > 1) out = out.replace(/\/+$/, "") || "/"
  return out
}

function transport(r: EnvReader): Config["transport"] {
  const value = r.string("TRANSPORT")?.toLowerCase()
  if (value === undefined) return "stdio"
  if (value === "stdio" || value === "http" || value === "sse") return value
  r.warn("TRANSPORT", value, "stdio")
  return "stdio"
}

function url(r: EnvReader, name: string): string | undefined {
  return checkUrl(name, r.string(name))
}

function authMode(r: EnvReader): Config["authMode"] {
  const value = r.string("AUTH_MODE")?.toLowerCase().replace(/\s+/g, "")
  if (value === undefined) return undefined
  if (value === "remote" || value === "oidc-proxy") return value
  r.warn("AUTH_MODE", value, "(detected from the other settings)")
  return undefined
}

/** Each entry is an origin (`https://app.example`, `http://localhost:5173`): scheme, host, port; no wildcard, no path. */
function corsOrigins(r: EnvReader): string[] {
  return (r.list("CORS_ORIGINS") ?? []).map((entry) => {
    const u = URL.canParse(entry) ? new URL(entry) : undefined
    if (!u || !/^https?:$/.test(u.protocol) || u.pathname !== "/" || u.search || u.hash || u.username || u.password) {
      throw new ConfigError(
        `${ENV_PREFIX}CORS_ORIGINS has an invalid entry '${entry}': expected origins such as https://app.example, comma-separated.`,
      )
    }
    return u.origin
  })
}

function storeUrl(r: EnvReader, name: string): string | undefined {
  const value = r.string(name)
  if (value === undefined) return undefined
  if (value === "memory://" || value.startsWith("file:///")) return value
  throw new ConfigError(`${ENV_PREFIX}${name} is invalid: expected memory:// or file:///absolute/path.`)
}

/** The URL itself never appears in an error: it may carry a password. */
function databaseUrl(r: EnvReader): string | undefined {
  const value = r.string("DATABASE_URL")
  if (value === undefined) return undefined
  const u = URL.canParse(value) ? new URL(value) : undefined
  if (u && (u.protocol === "postgres:" || u.protocol === "postgresql:") && u.hostname) return value
  throw new ConfigError(
    `${ENV_PREFIX}DATABASE_URL is invalid: expected postgres://user:password@host:5432/database (or postgresql://…); unset, the SQLite file at ${ENV_PREFIX}DB_PATH is used.`,
  )
}

/** The unprefixed settings Bun's S3 client and the AWS tools share, read for `BLOB_STORE_URL=s3://…`. */
const S3_ENV = [
  "S3_ENDPOINT",
  "S3_REGION",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "S3_SESSION_TOKEN",
  "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
]

function blobStoreUrl(r: EnvReader): string | undefined {
  const value = r.string("BLOB_STORE_URL")
  if (value === undefined) return undefined
  const u = URL.canParse(value) ? new URL(value) : undefined
  if (u && u.protocol === "s3:" && u.hostname && !u.username && !u.password && !u.search) return value
  throw new ConfigError(
    `${ENV_PREFIX}BLOB_STORE_URL is invalid: expected s3://bucket or s3://bucket/prefix; unset, images stay in ${ENV_PREFIX}SCRATCH_DIR.`,
  )
}

function transferConfig(r: EnvReader): TransferConfig {
  const positive = { exclusiveMin: 0 }
  const out: TransferConfig = {
    ttlDefaultS: r.number("TRANSFER_TTL_DEFAULT_S", 3600, positive),
    ttlMaxS: r.number("TRANSFER_TTL_MAX_S", 86400, positive),
    graceTtlS: r.number("TRANSFER_GRACE_TTL_S", 60, positive),
    leaseS: r.number("TRANSFER_LEASE_S", 60, positive),
    maxUploadBytes: r.int("TRANSFER_MAX_UPLOAD_BYTES", 104_857_600, { min: 1 }),
  }
  if (out.ttlDefaultS > out.ttlMaxS) {
    throw new ConfigError(
      `${ENV_PREFIX}TRANSFER_TTL_DEFAULT_S (${out.ttlDefaultS}) must not exceed ${ENV_PREFIX}TRANSFER_TTL_MAX_S (${out.ttlMaxS}).`,
    )
  }
  return out
}

function optionalPort(r: EnvReader, name: string): number | undefined {
  const value = r.string(name)
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) {
    r.warnings.push(`${ENV_PREFIX}${name}=${JSON.stringify(value)} is not valid; leaving it unset.`)
    return undefined
  }
  return r.int(name, 0, { min: 1, max: 65535 })
}

function logLevel(r: EnvReader): LogLevel {
  const ours = r.string("LOG_LEVEL")
  const name = ours ? "LOG_LEVEL" : "FASTMCP_LOG_LEVEL"
  const value = ours ?? r.string("FASTMCP_LOG_LEVEL", { raw: true })
  if (value === undefined) return "info"
  const level = LEVEL_NAMES[value.toLowerCase()]
  if (level) return level
  r.warn(name, value, "INFO", !ours)
  return "info"
}

function logJson(r: EnvReader): boolean | undefined {
  if (r.string("FASTMCP_ENABLE_RICH_LOGGING", { raw: true }) === undefined) return undefined
  return !r.bool("FASTMCP_ENABLE_RICH_LOGGING", true, { raw: true })
}
