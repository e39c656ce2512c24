import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { HTTPException } from "hono/http-exception"
import { createLogger } from "@/util/log"

const log = createLogger("http")

/** One MCP session: its own server and transport. */
export interface HttpSession {
  readonly server: McpServer
  readonly transport: WebStandardStreamableHTTPServerTransport
  /** Marks one request as open until `end()`; a session is not idle while a request or its stream is open. */
  track(): { end(): void }
}

/** The live sessions of one HTTP app. */
export interface HttpSessions {
  readonly size: number
  get(id: string): HttpSession | undefined
  ids(): string[]
  /** A server and transport, registered under its id once the transport has initialized. */
  create(): Promise<HttpSession>
  /** Closes sessions idle for longer than the timeout; returns how many. */
  sweep(): Promise<number>
  closeAll(): Promise<void>
}

export interface SessionOptions {
  newServer: () => McpServer
  maxBodyBytes: number
  idleTimeoutMs: number
  sweepIntervalMs: number
  now: () => number
}

interface Entry extends HttpSession {
  active: number
  lastSeen: number
}

export function createSessions(opts: SessionOptions): HttpSessions {
  const live = new Map<string, Entry>()
  let closed = false
  const close = async (entry: Entry) => {
    await entry.transport.close()
    await entry.server.close()
  }

  const sweep = async () => {
    const cutoff = opts.now() - opts.idleTimeoutMs
    const idle = [...live.values()].filter((e) => e.active === 0 && e.lastSeen <= cutoff)
    for (const entry of idle) log.info("Closing idle MCP session", { session: entry.transport.sessionId })
    await Promise.allSettled(idle.map(close))
    return idle.length
  }
  const timer = setInterval(() => void sweep(), opts.sweepIntervalMs)
  timer.unref()

  return {
    get size() {
      return live.size
    },
    get: (id) => live.get(id),
    ids: () => [...live.keys()],
    async create() {
      if (closed) throw new HTTPException(503, { message: "The server is shutting down" })
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        maxRequestBodySize: opts.maxBodyBytes,
        onsessioninitialized: (id) => {
          live.set(id, entry)
          log.debug("MCP session opened", { session: id })
        },
      })
      // Set before connect(): the SDK chains its own onclose after this one.
      transport.onclose = () => {
        const id = transport.sessionId
        if (id && live.get(id) === entry) live.delete(id)
        log.debug("MCP session closed", { session: id })
      }
      const server = opts.newServer()
      const entry: Entry = {
        server,
        transport,
        active: 0,
        lastSeen: opts.now(),
        track() {
          entry.active++
          entry.lastSeen = opts.now()
          let ended = false
          return {
            end() {
              if (ended) return
              ended = true
              entry.active--
              entry.lastSeen = opts.now()
            },
          }
        },
      }
      await server.connect(transport)
      return entry
    },
    sweep,
    async closeAll() {
      closed = true
      clearInterval(timer)
      await Promise.allSettled([...live.values()].map(close))
      live.clear()
    },
  }
}
