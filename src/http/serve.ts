import { normaliseHttpPath } from "@/config/config"
import type { Services } from "@/core/services"
import { createLogger } from "@/util/log"
import { createHttpApp, type HttpAppOptions, type HttpSessions } from "./app"

const log = createLogger("http")
const STOP_GRACE_MS = 3_000

export interface HttpServerOptions {
  host: string
  /** 0 picks a free port; `url` carries the real one. */
  port: number
  /** MCP endpoint path. @default config.httpPath */
  path?: string
  /** Passed to `createHttpApp` (session timeouts, clock, body limit). */
  app?: Omit<HttpAppOptions, "path">
}

export interface HttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8000/mcp`. */
  url: string
  sessions: HttpSessions
  /** Closes every session, then the listener: in-flight requests get up to ~3 s. */
  stop(): Promise<void>
}

export function startHttpServer(services: Services, options: HttpServerOptions): HttpServer {
  const http = createHttpApp(services, { ...options.app, path: options.path })
  const server = Bun.serve({
    fetch: http.app.fetch,
    hostname: options.host,
    port: options.port,
    // Bun's default (10 s) would cut SSE streams between the SDK's 15 s keep-alives.
    idleTimeout: 0,
  })
  const path = normaliseHttpPath(options.path ?? services.config.httpPath)
  const url = new URL(path, `http://${displayHost(options.host)}:${server.port}`)
  log.info(`MCP endpoint listening on ${url.href}`)

  let stopping: Promise<void> | undefined
  return {
    url: url.href,
    sessions: http.sessions,
    stop() {
      stopping ??= (async () => {
        await http.close()
        const graceful = server.stop().then(() => true)
        const timeout = Bun.sleep(STOP_GRACE_MS).then(() => false)
        if (!(await Promise.race([graceful, timeout]))) await server.stop(true)
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
