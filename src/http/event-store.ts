import type { EventStore } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
import type { EventLog } from "@/storage"

/** The SDK's stream id for a session's GET stream; resumable even when none of its events is left. */
const STANDALONE_STREAM = "_GET_stream"
const EVENT_ID = /^(.{1,200}):(\d{1,16})$/

/**
 * The SDK `EventStore` for one session. Event ids are `<stream>:<seq>`, so the stream is known even once
 * the event itself has been pruned, and every lookup stays inside this session: a cursor from another
 * session finds nothing.
 */
export function sessionEventStore(log: EventLog, session: string): EventStore {
  return {
    async storeEvent(stream, message) {
      // The SDK's priming event, an empty message that only gives the client a cursor: nothing to store or replay.
      const seq = isPriming(message)
        ? await log.mark(session, stream)
        : await log.append(session, stream, JSON.stringify(message))
      return `${stream}:${seq}`
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
        await send(`${cursor.stream}:${event.seq}`, JSON.parse(event.message) as JSONRPCMessage)
      }
      return cursor.stream
    },
  }
}

const isPriming = (message: JSONRPCMessage) => Object.keys(message).length === 0

function parseEventId(eventId: string): { stream: string; seq: number } | undefined {
  const match = EVENT_ID.exec(eventId)
  if (!match?.[1] || !match[2]) return undefined
  return { stream: match[1], seq: Number(match[2]) }
}
