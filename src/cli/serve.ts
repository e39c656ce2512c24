import { type Config, normaliseHttpPath } from "@/config/config"
import { createServices, type Services } from "@/core/services"
import { checkSdkPatches, createMcpServer } from "@/mcp"
import { createLogger } from "@/util/log"
import { VERSION } from "@/version"
import { type Command, UsageError } from "./args"
import { DrainableStdioTransport } from "./stdio-transport"
import { stopCause, stopRequestedNow } from "./stop"

const log = createLogger("serve")
const SHUTDOWN_LIMIT_MS = 6000

type ServeCommand = Extract<Command, { kind: "serve" }>

/**
 * Runs the server until stdin closes (stdio) or `stop` aborts (a signal). A stop during start-up ends it at the
 * next safe point and returns 0; otherwise returns -1: the process exits from shutdown.
 */
export async function runServe(base: Config, command: ServeCommand, stop: AbortSignal): Promise<number> {
  const config = applyFlags(base, command)
  const transport = (command.transport ?? "stdio").toLowerCase()
  if (await stopRequestedNow(stop)) return stoppedDuringStartUp(stop)
  await checkSdkPatches()
  const services = await createServices(config, { stop })
  if (await stopRequestedNow(stop)) return stoppedDuringStartUp(stop, services)
  const { drivers, where } = services.storage
  log.info(`Starting ${config.serverName} ${VERSION}`, {
    transport: transport as Config["transport"],
    mode: config.readOnly ? "read-only" : "read-write",
    providers: services.providers.names(),
    storage: `${drivers.database} (${where.database}), ${drivers.blobs} (${where.blobs})`,
  })
  if (transport === "stdio") await serveStdio(services, stop)
  else if (!(await serveHttp(services, stop))) return stoppedDuringStartUp(stop, services)
  return -1
}

async function stoppedDuringStartUp(stop: AbortSignal, services?: Services): Promise<number> {
  log.info(`Stopped during start-up (${stopCause(stop)})`)
  await services?.close()
  return 0
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

async function serveStdio(services: Services, stop: AbortSignal): Promise<void> {
  const server = createMcpServer(services, { transport: "stdio" })
  const transport = new DrainableStdioTransport()
  const shutdown = onceShutdown(stop, async () => {
    await transport.drained()
    await server.close().catch(() => {})
    await services.close()
  })
  process.stdin.on("end", () => shutdown("stdin closed"))
  process.stdin.on("close", () => shutdown("stdin closed"))
  await server.connect(transport)
}

/** Starts listening unless a stop arrives while the HTTP modules load; false when it did (services stay open). */
async function serveHttp(services: Services, stop: AbortSignal): Promise<boolean> {
  const [{ startHttpServer }, { createAuth }] = await Promise.all([import("@/http/serve"), import("@/http/auth")])
  const { config } = services
  const auth = await createAuth(config, { storage: services.storage }).catch(async (error: unknown) => {
    await services.close()
    throw error
  })
  if (await stopRequestedNow(stop)) {
    auth.close()
    return false
  }
  const http = startHttpServer(services, { host: config.host, port: config.port, path: config.httpPath, app: { auth } })
  onceShutdown(stop, async () => {
    await http.stop()
    auth.close()
    await services.close()
  })
  return true
}

/** Runs `close` once when `stop` aborts (or when called), then exits 0; a stuck close is cut off. */
function onceShutdown(stop: AbortSignal, close: () => Promise<void>): (reason: string) => void {
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
  const onStop = () => shutdown(stopCause(stop))
  if (stop.aborted) onStop()
  else stop.addEventListener("abort", onStop, { once: true })
  return shutdown
}
