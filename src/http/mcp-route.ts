import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js"
import type { Handler } from "hono"
import { readJsonBody } from "./body"
import { rpcError } from "./errors"
import type { HttpSession, HttpSessions } from "./sessions"
import { openEventStream } from "./sse"

/**
 * The Streamable HTTP endpoint. Requests carrying `mcp-session-id` go to their session's transport;
 * a POST `initialize` without one opens a new session. The transport does the rest of the protocol
 * checks (Accept, Content-Type, protocol version, body size).
 */
export function mcpHandler(sessions: HttpSessions, maxBodyBytes: number): Handler {
  return async (c) => {
    const req = c.req.raw
    const id = req.headers.get("mcp-session-id")
    if (id) {
      const session = sessions.get(id)
      if (!session) return rpcError(404, -32001, "Session not found")
      return handle(session, req)
    }
    if (req.method !== "POST") return rpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required")

    const body = await readJsonBody(req, maxBodyBytes)
    if (!body.ok && body.reason === "too_large") {
      return rpcError(413, -32000, `Payload Too Large: Request body must not exceed ${maxBodyBytes} bytes`)
    }
    if (!body.ok) return rpcError(400, -32700, "Parse error: Invalid JSON")
    if (![body.value].flat().some(isInitializeRequest)) {
      return rpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required")
    }

    const session = await sessions.create()
    try {
      return await handle(session, req, body.value)
    } finally {
      // Refused before initializing (406, 415, a bad batch…): the session never registered, drop it.
      if (session.transport.sessionId === undefined) await session.server.close()
    }
  }
}

async function handle(session: HttpSession, req: Request, parsedBody?: unknown): Promise<Response> {
  const request = session.track()
  try {
    const res = await session.transport.handleRequest(req, { parsedBody })
    return openEventStream(res, request.end)
  } catch (error) {
    request.end()
    throw error
  }
}
