import type { MiddlewareHandler } from "hono"
import { HTTPException } from "hono/http-exception"
import type { Config } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"

const LOOPBACK = ["localhost", "127.0.0.1", "::1"]
const WILDCARD_BINDS = new Set(["0.0.0.0", "::", "[::]"])
const HOST_PATTERN = /^(?:\[([0-9a-f:.]+)\]|([^\s:/?#@[\]]+))(?::\d*)?$/i
const HINT = `add it to ${ENV_PREFIX}ALLOWED_HOSTS`

type HostConfig = Pick<Config, "host" | "baseUrl" | "allowedHosts"> & { corsOrigins?: readonly string[] }

/**
 * DNS-rebinding guard. Host names are compared without ports, so any port on an allowed name passes.
 *
 * Bound to a specific address, the Host header must name an allowed host. Bound to 0.0.0.0 or ::, the
 * server answers to names we cannot know (LAN addresses, container names), so Host is checked only if
 * the operator listed names (BASE_URL or ALLOWED_HOSTS). Either way an Origin header, when present,
 * must name an allowed host: a rebinding page runs in a browser, and browsers send Origin on every
 * POST (MCP sessions start with one). Origin "null" is refused. Non-browser clients send no Origin.
 * Origins listed for CORS pass as they are (exact scheme, host and port).
 */
export function hostGuard(config: HostConfig): MiddlewareHandler {
  const allowed = allowedHostNames(config)
  const checkHost = !WILDCARD_BINDS.has(config.host) || config.baseUrl !== undefined || config.allowedHosts.length > 0
  const corsOrigins = new Set(config.corsOrigins ?? [])
  const originAllowed = (origin: string) =>
    allowed.has(originHostName(origin) ?? "") || (corsOrigins.size > 0 && corsOrigins.has(normalOrigin(origin)))
  return async (c, next) => {
    const host = c.req.header("host") ?? new URL(c.req.url).host
    if (checkHost && !allowed.has(hostName(host) ?? "")) refuse(`Host '${host}' is not allowed; ${HINT}`)
    const origin = c.req.header("origin")
    if (origin !== undefined && !originAllowed(origin)) {
      refuse(`Origin '${origin}' is not allowed; ${HINT}, or the origin to ${ENV_PREFIX}CORS_ORIGINS`)
    }
    await next()
  }
}

export function allowedHostNames(config: HostConfig): Set<string> {
  const names = [config.host, ...LOOPBACK, ...config.allowedHosts]
  if (config.baseUrl) names.push(new URL(config.baseUrl).host)
  return new Set(names.map(hostName).filter((n): n is string => n !== undefined && !WILDCARD_BINDS.has(n)))
}

/** `Example.COM:8000` → `example.com`, `[::1]:8000` → `::1`; also takes a bare IPv6 address. */
export function hostName(value: string): string | undefined {
  const text = value.trim().toLowerCase()
  if (!text.startsWith("[") && text.split(":").length > 2) return /^[0-9a-f:.]+$/.test(text) ? text : undefined
  const match = HOST_PATTERN.exec(text)
  const name = match?.[1] ?? match?.[2]
  return name?.replace(/\.$/, "")
}

function originHostName(origin: string): string | undefined {
  if (!URL.canParse(origin)) return undefined
  const { host } = new URL(origin)
  return host ? hostName(host) : undefined
}

function normalOrigin(origin: string): string {
  return URL.canParse(origin) ? new URL(origin).origin : ""
}

function refuse(message: string): never {
  throw new HTTPException(403, { message })
}
