import { normaliseHttpPath } from "@/config/config"
import type { Services } from "@/core/services"
import { createLogger } from "@/util/log"
import { createHttpApp, type HttpApp, type HttpAppOptions, type HttpSessions } from "./app"

const log = createLogger("http")
/** In-flight requests get this long to finish once a stop begins. */
export const STOP_GRACE_MS = 3_000
/** After sessions close, connections still open get this long before they are cut. */
const CLOSE_LINGER_MS = 250
/** Bun's own cap, raised when our limits need more (it answers 413 itself above it). */
const BUN_DEFAULT_MAX_BODY = 128 * 1024 * 1024

export interface HttpServerOptions {
  host: string
  /** 0 picks a free port; `url` carries the real one. */
  port: number
  /** MCP endpoint path. @default config.httpPath */
  path?: string
  /** Passed to `createHttpApp` (session timeouts and cap, clock, body limit, CORS, event log). */
  app?: Omit<HttpAppOptions, "path">
  /** In-flight requests get this long to finish on `stop()`. @default STOP_GRACE_MS */
  graceMs?: number
}

export interface HttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8000/mcp`. */
  url: string
  sessions: HttpSessions
  /** The Hono app, for routes mounted after start (they sit behind the guard and CORS). */
  app: HttpApp["app"]
  /**
   * Graceful stop: no new connections, new requests on open ones get 503, in-flight requests get up to
   * `graceMs` (3 s) to finish, then sessions close (ending event streams) and the listener goes. The caller
   * closes the services (the database) afterwards.
   */
  stop(): Promise<void>
}

export function startHttpServer(services: Services, options: HttpServerOptions): HttpServer {
  const http = createHttpApp(services, { ...options.app, path: options.path })
  const { config } = services
  const maxBody = Math.max(options.app?.maxBodyBytes ?? config.maxRequestBytes, config.transfer.maxUploadBytes)
  const server = Bun.serve({
    fetch(req, srv) {
      // No Host header (HTTP/1.0) or one that is not a URL authority: Bun hands over a relative URL.
      if (req.url.startsWith("/"))
        return Response.json({ error: "Bad Request: invalid or missing Host header" }, { status: 400 })
      return http.app.fetch(req, srv)
    },
    hostname: options.host,
    port: options.port,
    // Bun's default (10 s) would cut SSE streams between the SDK's 15 s keep-alives.
    idleTimeout: 0,
    // Slack for multipart framing around an upload at the limit: our handlers give the precise 413.
    maxRequestBodySize: Math.max(BUN_DEFAULT_MAX_BODY, maxBody + 1024 * 1024),
  })
  const path = normaliseHttpPath(options.path ?? config.httpPath)
  const url = new URL(path, `http://${displayHost(options.host)}:${server.port}`)
  log.info(`MCP endpoint listening on ${url.href}`)

  let stopping: Promise<void> | undefined
  return {
    url: url.href,
    sessions: http.sessions,
    app: http.app,
    stop() {
      stopping ??= (async () => {
        // Stops listening; resolves once every open connection has finished.
        const listening = server.stop()
        await http.shutdown(options.graceMs ?? STOP_GRACE_MS)
        const finished = await Promise.race([listening.then(() => true), Bun.sleep(CLOSE_LINGER_MS).then(() => false)])
        if (!finished) await server.stop(true)
      })()
      return stopping
    },
  }
}

/** A wildcard bind is reachable on loopback; IPv6 literals need brackets in a URL. */
function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1"
  if (host === "::" || host === "[::]") return "[::1]"
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host
}
