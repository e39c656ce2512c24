import { Hono } from "hono"
import { normaliseHttpPath } from "@/config/config"
import type { Services } from "@/core/services"
import { createMcpServer } from "@/mcp/server"
import { handleError } from "./errors"
import { healthz } from "./healthz"
import { hostGuard } from "./host-guard"
import { mcpHandler } from "./mcp-route"
import { createSessions, type HttpSessions } from "./sessions"

export type { HttpSession, HttpSessions } from "./sessions"

export interface HttpAppOptions {
  /** MCP endpoint path. @default config.httpPath */
  path?: string
  /** Largest accepted request body; base64 image inputs need room. @default 64 MiB */
  maxBodyBytes?: number
  /** A session with no open request for this long is closed. @default config.sessionIdleTimeoutS × 1000 */
  idleTimeoutMs?: number
  /** How often idle sessions are looked for. @default half the idle timeout, between 1 s and 60 s */
  sweepIntervalMs?: number
  /** Milliseconds clock for idle tracking. @default Date.now */
  now?: () => number
}

export interface HttpApp {
  app: Hono
  sessions: HttpSessions
  /** Closes every session's transport and server. */
  close(): Promise<void>
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024

/** The HTTP surface: `GET /healthz` and the Streamable HTTP MCP endpoint, behind the Host/Origin guard. */
export function createHttpApp(services: Services, options: HttpAppOptions = {}): HttpApp {
  const { config } = services
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const idleTimeoutMs = options.idleTimeoutMs ?? config.sessionIdleTimeoutS * 1000
  const sessions = createSessions({
    newServer: () => createMcpServer(services, { transport: "http" }),
    maxBodyBytes,
    idleTimeoutMs,
    sweepIntervalMs: options.sweepIntervalMs ?? Math.min(60_000, Math.max(1_000, idleTimeoutMs / 2)),
    now: options.now ?? Date.now,
  })

  const app = new Hono()
  app.onError(handleError)
  app.notFound((c) => c.json({ error: "Not found" }, 404))
  // Registered before the guard so probes that reach the server by IP or pod name still get an answer;
  // it tells nothing beyond liveness and the version.
  app.get("/healthz", healthz(services))
  app.use("*", hostGuard(config))
  app.all(normaliseHttpPath(options.path ?? config.httpPath), mcpHandler(sessions, maxBodyBytes))

  return { app, sessions, close: () => sessions.closeAll() }
}
