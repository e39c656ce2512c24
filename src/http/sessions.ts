import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { HTTPException } from "hono/http-exception"
import type { EventLog } from "@/storage"
import { createLogger } from "@/util/log"
import { rpcError } from "./errors"
import { sessionEventStore } from "./event-store"

const log = createLogger("http")
/**
 * The SSE `retry` field sent with each POST stream's priming event: how long a client whose stream dropped waits
 * before it resumes with Last-Event-ID (docs/decisions.md#sse-polling).
 */
export const SSE_RETRY_MS = 1000

/** One MCP session: its own server and transport. */
export interface HttpSession {
  readonly server: McpServer
  readonly transport: WebStandardStreamableHTTPServerTransport
  /** The subject that opened the session; only it may use the session (others get 404). */
  readonly owner?: string
  /** Marks one request as open until `end()`; a session is not idle while a request or its stream is open. */
  track(): { end(): void }
}

/** The live sessions of one HTTP app. */
export interface HttpSessions {
  readonly size: number
  get(id: string): HttpSession | undefined
  ids(): string[]
  /**
   * A server and transport, registered under its id once the transport has initialized. Throws a 503
   * `HTTPException` past `maxSessions` (JSON-RPC body, `Retry-After`) or once closing.
   */
  create(owner?: string): Promise<HttpSession>
  /** Closes sessions idle for longer than the timeout; returns how many. */
  sweep(): Promise<number>
  closeAll(): Promise<void>
}

export interface SessionOptions {
  newServer: () => McpServer
  maxBodyBytes: number
  idleTimeoutMs: number
  sweepIntervalMs: number
  /** Sessions open (or opening) at once. @default unlimited */
  maxSessions?: number
  /** Keeps each session's server-sent events for Last-Event-ID resumption; none means not resumable. */
  events?: EventLog
  now: () => number
}

interface Entry extends HttpSession {
  active: number
  lastSeen: number
}

export function createSessions(opts: SessionOptions): HttpSessions {
  const live = new Map<string, Entry>()
  const maxSessions = opts.maxSessions ?? Number.POSITIVE_INFINITY
  let opening = 0
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

  /** Seconds until the longest-idle session could be swept, as a hint for a refused client. */
  const retryAfterS = () => {
    const idleSince = [...live.values()].filter((e) => e.active === 0).map((e) => e.lastSeen)
    const wait = idleSince.length ? Math.min(...idleSince) + opts.idleTimeoutMs - opts.now() : opts.idleTimeoutMs
    return Math.min(3600, Math.max(1, Math.ceil((wait + opts.sweepIntervalMs) / 1000)))
  }
  const refuseOverCap = (): never => {
    log.warning("MCP session refused: the session limit is reached", { limit: maxSessions })
    const res = rpcError(503, -32000, `Service Unavailable: the server already has ${maxSessions} open sessions`)
    res.headers.set("retry-after", String(retryAfterS()))
    throw new HTTPException(503, { res })
  }

  return {
    get size() {
      return live.size
    },
    get: (id) => live.get(id),
    ids: () => [...live.keys()],
    async create(owner) {
      if (closed) throw new HTTPException(503, { message: "The server is shutting down" })
      if (live.size + opening >= maxSessions) refuseOverCap()
      // The id is chosen up front so the event store can be scoped to it before the transport exists.
      const id = crypto.randomUUID()
      opening++
      let pending = true
      const settle = () => {
        if (pending) opening--
        pending = false
      }
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => id,
        maxRequestBodySize: opts.maxBodyBytes,
        eventStore: opts.events && sessionEventStore(opts.events, id),
        // The SDK writes it only in the priming event, which exists only with an event store.
        retryInterval: opts.events ? SSE_RETRY_MS : undefined,
        onsessioninitialized: () => {
          settle()
          live.set(id, entry)
          log.debug("MCP session opened", { session: id })
        },
      })
      // Set before connect(): the SDK chains its own onclose after this one.
      transport.onclose = () => {
        settle()
        if (live.get(id) === entry) live.delete(id)
        void opts.events?.dropSession(id).catch((error) => log.warning("Could not drop session events", { error }))
        log.debug("MCP session closed", { session: id })
      }
      const server = opts.newServer()
      const entry: Entry = {
        server,
        transport,
        owner,
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
