import { type Config, normaliseHttpPath } from "@/config/config"
import { createServices, type Services } from "@/core/services"
import { checkSdkPatches } from "@/mcp/sdk-patches"
import { createMcpServer } from "@/mcp/server"
import { createLogger } from "@/util/log"
import { VERSION } from "@/version"
import { type Command, UsageError } from "./args"
import { DrainableStdioTransport } from "./stdio-transport"

const log = createLogger("serve")
const SHUTDOWN_LIMIT_MS = 6000

type ServeCommand = Extract<Command, { kind: "serve" }>

/** Runs the server until stdin closes (stdio) or a signal arrives. Returns -1: the process exits from shutdown. */
export async function runServe(base: Config, command: ServeCommand): Promise<number> {
  const config = applyFlags(base, command)
  const transport = (command.transport ?? "stdio").toLowerCase()
  await checkSdkPatches()
  const services = await createServices(config)
  log.info(`Starting ${config.serverName} ${VERSION}`, {
    transport: transport as Config["transport"],
    mode: config.readOnly ? "read-only" : "read-write",
    providers: services.providers.names(),
  })
  if (transport === "stdio") await serveStdio(services)
  else await serveHttp(services)
  return -1
}

function applyFlags(config: Config, command: ServeCommand): Config {
  const transport = (command.transport ?? "stdio").toLowerCase()
  if (transport === "sse") {
    throw new UsageError(
      "the legacy HTTP+SSE transport is not supported; use --transport http (Streamable HTTP, spoken by MCP clients since protocol 2025-03-26)",
    )
  }
  if (transport !== "stdio" && transport !== "http") {
    throw new UsageError(`--transport must be stdio or http; got '${command.transport}'`)
  }
  let port = config.port
  if (command.port !== undefined) {
    port = Number(command.port)
    if (!/^\d+$/.test(command.port) || port < 1 || port > 65535) {
      throw new UsageError(`--port must be a whole number from 1 to 65535; got '${command.port}'`)
    }
  }
  return Object.freeze({
    ...config,
    transport: transport as Config["transport"],
    port,
    host: command.host ?? config.host,
    httpPath: command.httpPath === undefined ? config.httpPath : normaliseHttpPath(command.httpPath),
  })
}

async function serveStdio(services: Services): Promise<void> {
  const server = createMcpServer(services, { transport: "stdio" })
  const transport = new DrainableStdioTransport()
  const shutdown = onceShutdown(async () => {
    await transport.drained()
    await server.close().catch(() => {})
    await services.close()
  })
  process.stdin.on("end", () => shutdown("stdin closed"))
  process.stdin.on("close", () => shutdown("stdin closed"))
  await server.connect(transport)
}

async function serveHttp(services: Services): Promise<void> {
  const [{ startHttpServer }, { createAuth }] = await Promise.all([import("@/http/serve"), import("@/http/auth")])
  const { config } = services
  const auth = await createAuth(config).catch(async (error: unknown) => {
    await services.close()
    throw error
  })
  const http = startHttpServer(services, { host: config.host, port: config.port, path: config.httpPath, app: { auth } })
  onceShutdown(async () => {
    await http.stop()
    auth.close()
    await services.close()
  })
}

/** Runs `close` once on SIGINT/SIGTERM (or when called), then exits; a stuck close is cut off. */
function onceShutdown(close: () => Promise<void>): (reason: string) => void {
  let started = false
  const shutdown = (reason: string) => {
    if (started) return
    started = true
    log.info(`Shutting down (${reason})`)
    setTimeout(() => process.exit(0), SHUTDOWN_LIMIT_MS).unref()
    close().then(
      () => process.exit(0),
      (error) => {
        log.error("Shutdown failed", { error })
        process.exit(1)
      },
    )
  }
  process.once("SIGINT", () => shutdown("SIGINT"))
  process.once("SIGTERM", () => shutdown("SIGTERM"))
  return shutdown
}
