import { statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { EventStore } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
import { type Config, ConfigError } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"
import {
  createMemoryEventLog,
  type EventLog,
  openSqliteEventLog,
  type SqliteEventLogOptions,
} from "@/storage/event-log"

/** The SDK's stream id for a session's GET stream; resumable even when none of its events is left. */
const STANDALONE_STREAM = "_GET_stream"
/** The SDK writes this empty message as a stream's first event (a cursor only); it is never replayed. */
const PRIMING = "{}"
const EVENT_ID = /^(.{1,200}):(\d{1,16})$/
const FILE_IN_DIRECTORY = "http-events.sqlite"

type StoreUrls = Pick<Config, "eventStoreUrl" | "kvStoreUrl" | "dbPath">

/**
 * The event log for resumability, chosen as docs/decisions.md#state-urls says: `EVENT_STORE_URL`, else `KV_STORE_URL`;
 * `memory://` keeps events in memory, `file:///path` in a SQLite file there (a directory gets
 * `http-events.sqlite` inside), unset means the main database (a connection of its own). The caller closes it.
 */
export function openEventLog(config: StoreUrls, options: SqliteEventLogOptions = {}): { log: EventLog; where: string } {
  const url = config.eventStoreUrl ?? config.kvStoreUrl
  if (url === "memory://") return { log: createMemoryEventLog(options), where: "memory" }
  let path = url === undefined ? config.dbPath : fileURLToPath(url)
  try {
    if (url !== undefined) path = sqlitePath(path)
    return { log: openSqliteEventLog(path, options), where: url === undefined ? "main database" : path }
  } catch (error) {
    const setting = config.eventStoreUrl ? "EVENT_STORE_URL" : config.kvStoreUrl ? "KV_STORE_URL" : "DB_PATH"
    const reason = error instanceof Error ? error.message : String(error)
    throw new ConfigError(`Cannot open the HTTP event store at ${path} (${ENV_PREFIX}${setting}): ${reason}`, {
      cause: error,
    })
  }
}

function sqlitePath(path: string): string {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ? join(path, FILE_IN_DIRECTORY) : path
}

/**
 * The SDK `EventStore` for one session. Event ids are `<stream>:<seq>`, so the stream is known even once
 * the event itself has been pruned, and every lookup stays inside this session: a cursor from another
 * session finds nothing.
 */
export function sessionEventStore(log: EventLog, session: string): EventStore {
  return {
    async storeEvent(stream, message) {
      return `${stream}:${await log.append(session, stream, JSON.stringify(message))}`
    },
    async getStreamIdForEventId(eventId) {
      const cursor = parseEventId(eventId)
      if (!cursor) return undefined
      if (cursor.stream === STANDALONE_STREAM || (await log.has(session, cursor.stream))) return cursor.stream
      return undefined
    },
    async replayEventsAfter(eventId, { send }) {
      const cursor = parseEventId(eventId)
      if (!cursor) return ""
      for (const event of await log.after(session, cursor.stream, cursor.seq)) {
        if (event.message === PRIMING) continue
        await send(`${cursor.stream}:${event.seq}`, JSON.parse(event.message) as JSONRPCMessage)
      }
      return cursor.stream
    },
  }
}

function parseEventId(eventId: string): { stream: string; seq: number } | undefined {
  const match = EVENT_ID.exec(eventId)
  if (!match?.[1] || !match[2]) return undefined
  return { stream: match[1], seq: Number(match[2]) }
}
