import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js"
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js"
import type { Context, Handler } from "hono"
import { readJsonBody } from "./body"
import type { Drain } from "./edge/drain"
import { payloadTooLarge, rpcError } from "./errors"
import type { HttpSession, HttpSessions } from "./sessions"
import { openEventStream } from "./sse"

export interface McpHandlerOptions {
  /** Largest accepted request body. */
  maxBodyBytes: number
  /** Keeps shutdown waiting while a POST's response stream is still being written. */
  drain?: Drain
  /** The caller's identity for MCP handlers (`extra.authInfo`), from whatever the auth middleware stored. */
  authInfo?: (c: Context) => AuthInfo | undefined
}

/**
 * The Streamable HTTP endpoint. Requests carrying `mcp-session-id` go to their session's transport;
 * a POST `initialize` without one opens a new session. The transport does the rest of the protocol
 * checks (Accept, Content-Type, protocol version); bodies over the limit get one 413 either way.
 */
export function mcpHandler(sessions: HttpSessions, options: McpHandlerOptions): Handler {
  const { maxBodyBytes } = options
  return async (c) => {
    const req = c.req.raw
    const id = req.headers.get("mcp-session-id")
    const opts = { authInfo: options.authInfo?.(c), drain: options.drain, maxBodyBytes }
    const owner = ownerOf(opts.authInfo)
    if (req.method === "POST" && Number(req.headers.get("content-length")) > maxBodyBytes) {
      return payloadTooLarge(maxBodyBytes)
    }
    if (id) {
      const session = sessions.get(id)
      // Another caller's session answers exactly like one that does not exist.
      if (!session || session.owner !== owner) return rpcError(404, -32001, "Session not found")
      return handle(session, req, opts)
    }
    if (req.method !== "POST") return rpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required")

    const body = await readJsonBody(req, maxBodyBytes)
    if (!body.ok && body.reason === "too_large") return payloadTooLarge(maxBodyBytes)
    if (!body.ok) return rpcError(400, -32700, "Parse error: Invalid JSON")
    if (![body.value].flat().some(isInitializeRequest)) {
      return rpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required")
    }

    const session = await sessions.create(owner)
    try {
      return await handle(session, req, opts, body.value)
    } finally {
      // Refused before initializing (406, 415, a bad batch…): the session never registered, drop it.
      if (session.transport.sessionId === undefined) await session.server.close()
    }
  }
}

/** The authenticated subject (see `toAuthInfo`); undefined without auth. */
function ownerOf(info: AuthInfo | undefined): string | undefined {
  const subject = info?.extra?.subject
  return typeof subject === "string" ? subject : undefined
}

async function handle(
  session: HttpSession,
  req: Request,
  opts: { authInfo?: AuthInfo; drain?: Drain; maxBodyBytes: number },
  parsedBody?: unknown,
): Promise<Response> {
  const request = session.track()
  // A GET stream lives as long as the session; only a POST's response stream is work shutdown waits for.
  const release = req.method === "POST" ? opts.drain?.hold() : undefined
  const end = () => {
    request.end()
    release?.()
  }
  try {
    const res = await session.transport.handleRequest(req, { parsedBody, authInfo: opts.authInfo })
    if (res.status === 413) {
      end()
      return payloadTooLarge(opts.maxBodyBytes)
    }
    // A POST stream resumed after its answer was stored ends once the answer is replayed (docs/decisions.md#sse-polling).
    const resumed = req.method === "GET" && req.headers.has("last-event-id")
    return openEventStream(res, end, { endAfterResponse: resumed })
  } catch (error) {
    end()
    throw error
  }
}
