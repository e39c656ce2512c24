import { Hono } from "hono"
import { normaliseHttpPath } from "@/config/config"
import type { Services } from "@/core/services"
import { createMcpServer } from "@/mcp"
import type { EventLog } from "@/storage"
import { createLogger } from "@/util/log"
import { type Auth, authInfoFromContext } from "./auth"
import { cors } from "./edge/cors"
import { createDrain } from "./edge/drain"
import { rateLimit } from "./edge/rate-limit"
import { securityHeaders } from "./edge/security-headers"
import { handleError } from "./errors"
import { healthz } from "./healthz"
import { hostGuard } from "./host-guard"
import { type McpHandlerOptions, mcpHandler } from "./mcp-route"
import { createSessions, type HttpSessions } from "./sessions"
import { transferRoutes } from "./transfer"

export type { HttpSession, HttpSessions } from "./sessions"

const log = createLogger("http")
const TRANSFER_REQUESTS_PER_MINUTE = 120
const METADATA_REQUESTS_PER_MINUTE = 120

export interface HttpAppOptions {
  /** MCP endpoint path. @default config.httpPath */
  path?: string
  /** Largest accepted request body on the MCP endpoint; base64 image inputs need room. @default config.maxRequestBytes */
  maxBodyBytes?: number
  /** A session with no open request for this long is closed. @default config.sessionIdleTimeoutS × 1000 */
  idleTimeoutMs?: number
  /** How often idle sessions are looked for. @default half the idle timeout, between 1 s and 60 s */
  sweepIntervalMs?: number
  /** Sessions open at once; an initialize past it gets 503. @default config.maxSessions */
  maxSessions?: number
  /** Browser origins allowed through CORS; empty turns CORS off. @default config.corsOrigins */
  corsOrigins?: readonly string[]
  /**
   * Where server-sent events are kept for Last-Event-ID resumption; `false` turns resumption off.
   * The log stays its owner's to close. @default the storage's event log (EVENT_STORE_URL / KV_STORE_URL)
   */
  events?: EventLog | false
  /** The caller's identity for MCP handlers, from whatever an auth middleware stored on the context. */
  authInfo?: McpHandlerOptions["authInfo"]
  /** Authentication for the MCP endpoint (and its metadata routes); none when absent. */
  auth?: Auth
  /** Milliseconds clock for idle tracking. @default Date.now */
  now?: () => number
}

export interface HttpApp {
  app: Hono
  sessions: HttpSessions
  /** Closes every session's transport and server at once. */
  close(): Promise<void>
  /**
   * Graceful stop: refuses new requests (503), waits up to `graceMs` for those in flight (POST response
   * streams included, GET event streams not), then closes as `close()` does. Resolves false on timeout.
   */
  shutdown(graceMs: number): Promise<boolean>
}

/**
 * The HTTP surface: `GET /healthz` and the Streamable HTTP MCP endpoint, behind the Host/Origin guard,
 * with CORS when configured and hardening headers on everything but the MCP endpoint. Routes added to
 * `app` later (transfer, OAuth) sit behind the guard and CORS and get the headers too.
 */
export function createHttpApp(services: Services, options: HttpAppOptions = {}): HttpApp {
  const { config } = services
  const path = normaliseHttpPath(options.path ?? config.httpPath)
  const maxBodyBytes = options.maxBodyBytes ?? config.maxRequestBytes
  const idleTimeoutMs = options.idleTimeoutMs ?? config.sessionIdleTimeoutS * 1000
  const corsOrigins = options.corsOrigins ?? config.corsOrigins
  if (options.events === undefined) log.info(`Resumable streams: events kept in ${services.storage.where.events}`)
  const events = options.events === undefined ? services.storage.events : options.events || undefined
  const sessions = createSessions({
    newServer: () => createMcpServer(services, { transport: "http", acl: options.auth?.acl }),
    maxBodyBytes,
    idleTimeoutMs,
    sweepIntervalMs: options.sweepIntervalMs ?? Math.min(60_000, Math.max(1_000, idleTimeoutMs / 2)),
    maxSessions: options.maxSessions ?? config.maxSessions,
    events,
    now: options.now ?? Date.now,
  })
  const drain = createDrain()

  const app = new Hono()
  app.onError(handleError)
  app.notFound((c) => c.json({ error: "Not found" }, 404))
  app.use("*", securityHeaders({ skip: (p) => p === path }))
  app.use("*", drain.middleware)
  // Registered before the guard so probes that reach the server by IP or pod name still get an answer;
  // it tells nothing beyond liveness and the version.
  app.get("/healthz", healthz(services))
  app.use("*", hostGuard({ ...config, corsOrigins }))
  if (corsOrigins.length > 0) app.use("*", cors(corsOrigins))
  // Transfer links carry their own credential (the unguessable token), so they sit outside MCP auth.
  if (config.baseUrl) {
    app.use("/transfer/*", rateLimit({ windowMs: 60_000, max: TRANSFER_REQUESTS_PER_MINUTE }))
    app.route("/", transferRoutes(services.transfers))
  }
  if (options.auth) {
    app.use("/.well-known/*", rateLimit({ windowMs: 60_000, max: METADATA_REQUESTS_PER_MINUTE }))
    options.auth.routes(app)
    app.use(path, options.auth.middleware)
  }
  const authInfo = options.authInfo ?? (options.auth ? authInfoFromContext : undefined)
  app.all(path, mcpHandler(sessions, { maxBodyBytes, drain, authInfo }))

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      await sessions.closeAll()
    })()
    return closing
  }
  return {
    app,
    sessions,
    close,
    async shutdown(graceMs) {
      if (drain.inFlight > 0) log.info(`Waiting up to ${graceMs} ms for ${drain.inFlight} request(s) in flight`)
      const drained = await drain.drain(graceMs)
      if (!drained) log.warning("Requests still open after the shutdown grace period; closing them", { graceMs })
      await close()
      return drained
    },
  }
}
