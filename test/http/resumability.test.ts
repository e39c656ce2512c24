import { describe, expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { CallToolResultSchema, LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js"
import type { Services } from "@/core/services"
import { type HttpServerOptions, startHttpServer } from "@/http/serve"
import type { HttpSession } from "@/http/sessions"
import { createMemoryEventLog } from "@/storage/event-log"
import { startServices } from "../helpers/services"
import { waitFor, waitForValue } from "../helpers/wait"
import { INITIALIZE, post } from "./helpers"

interface SseEvent {
  id?: string
  data: string
}

/** Reads `text/event-stream` events one at a time; comments and priming events (empty data) are skipped. */
function sseReader(res: Response) {
  const reader = res.body?.getReader()
  if (!reader) throw new Error("no body")
  const decoder = new TextDecoder()
  let buffer = ""
  return {
    async next(): Promise<SseEvent> {
      for (;;) {
        const end = buffer.indexOf("\n\n")
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event: SseEvent = { data: "" }
          for (const line of block.split("\n")) {
            if (line.startsWith("id:")) event.id = line.slice(3).trim()
            if (line.startsWith("data:")) event.data += line.slice(5).trim()
          }
          if (event.data) return event
          continue
        }
        const chunk = await reader.read()
        if (chunk.done) throw new Error("stream ended")
        buffer += decoder.decode(chunk.value, { stream: true })
      }
    },
    /** The id of the priming event the SDK writes first on a POST stream. */
    async primingId(): Promise<string> {
      for (;;) {
        const match = /id: ?([^\n]+)\n(?:retry: ?\d+\n)?data: ?\n\n/.exec(buffer)
        if (match?.[1]) return match[1]
        const chunk = await reader.read()
        if (chunk.done) throw new Error("stream ended")
        buffer += decoder.decode(chunk.value, { stream: true })
      }
    },
    cancel: () => reader.cancel(),
  }
}

function serve(services: Services, app?: HttpServerOptions["app"]) {
  const server = startHttpServer(services, { host: "127.0.0.1", port: 0, app })
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.stop() })
}

async function openSession(url: string): Promise<{ id: string; headers: Record<string, string> }> {
  const init = await fetch(url, post(INITIALIZE))
  const id = init.headers.get("mcp-session-id") ?? ""
  await init.text()
  const headers = { "mcp-session-id": id, "mcp-protocol-version": LATEST_PROTOCOL_VERSION }
  await fetch(url, post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers))
  return { id, headers }
}

/** GET with Last-Event-ID; retried while the server has not yet noticed the dropped stream (409). */
function resume(url: string, headers: Record<string, string>, lastEventId: string): Promise<Response> {
  return waitForValue(async () => {
    const res = await fetch(url, { headers: { ...headers, accept: "text/event-stream", "last-event-id": lastEventId } })
    if (res.status !== 409) return res
    await res.body?.cancel()
    return undefined
  }, "the server to notice the dropped stream")
}

/**
 * Whether the session's transport still holds an open stream. The SDK has no public signal for a stream the client
 * dropped; its stream map is what a resume is checked against (409 while the stream is still in it).
 */
function holdsStreams(session: HttpSession): boolean {
  return (session.transport as unknown as { _streamMapping: Map<string, unknown> })._streamMapping.size > 0
}

describe("resumption over real HTTP", () => {
  test("a dropped GET stream replays the notifications it missed after Last-Event-ID", async () => {
    await using env = await startServices()
    await using server = serve(env.services)
    const { id, headers } = await openSession(server.url)
    const session = server.sessions.get(id)
    if (!session) throw new Error("no session")

    const aborter = new AbortController()
    const stream = await fetch(server.url, {
      headers: { ...headers, accept: "text/event-stream" },
      signal: aborter.signal,
    })
    expect(stream.status).toBe(200)
    const events = sseReader(stream)
    await session.server.sendResourceListChanged()
    const first = await events.next()
    expect(JSON.parse(first.data).method).toBe("notifications/resources/list_changed")
    expect(first.id).toMatch(/^_GET_stream:\d+$/)
    aborter.abort()

    // Sent while no GET stream is open: stored, then replayed on reconnect, in order.
    await session.server.sendToolListChanged()
    await session.server.sendPromptListChanged()
    const resumed = await resume(server.url, headers, first.id ?? "")
    expect(resumed.status).toBe(200)
    const replay = sseReader(resumed)
    const missed = [await replay.next(), await replay.next()]
    expect(missed.map((e) => JSON.parse(e.data).method)).toEqual([
      "notifications/tools/list_changed",
      "notifications/prompts/list_changed",
    ])
    // The resumed stream is live: later notifications arrive on it.
    await session.server.sendResourceListChanged()
    expect(JSON.parse((await replay.next()).data).method).toBe("notifications/resources/list_changed")
    await replay.cancel()
  })

  test("a tool call whose POST stream dropped delivers its result on resume", async () => {
    await using env = await startServices()
    await using server = serve(env.services)
    const { id, headers } = await openSession(server.url)
    const session = server.sessions.get(id)
    if (!session) throw new Error("no session")
    let finish: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      finish = resolve
    })
    session.server.registerTool("slow_echo", { description: "waits for the test" }, async () => {
      await gate
      return { content: [{ type: "text", text: "finally" }] }
    })

    const aborter = new AbortController()
    const call = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "slow_echo", arguments: {} } }
    const res = await fetch(server.url, { ...post(call, headers), signal: aborter.signal })
    const cursor = await sseReader(res).primingId()
    expect(holdsStreams(session)).toBe(true)
    aborter.abort()
    // The result is produced only once the server has let go of the dropped stream: it must come from the store.
    await waitFor(() => !holdsStreams(session), "the server to notice the dropped stream")
    finish()

    const resumed = await resume(server.url, headers, cursor)
    expect(resumed.status).toBe(200)
    // The replayed answer is all the resumed stream has left to carry: it ends after it.
    const events = (await resumed.text()).split("\n\n").filter((block) => block.includes("data: {"))
    expect(events).toHaveLength(1)
    const result = JSON.parse(events[0]?.split("data: ")[1] ?? "")
    expect(result).toMatchObject({ id: 7, result: { content: [{ type: "text", text: "finally" }] } })
  })

  test("the SDK client resumes a call with its resumption token on a new connection", async () => {
    await using env = await startServices()
    await using server = serve(env.services)
    const first = new StreamableHTTPClientTransport(new URL(server.url))
    const client = new Client({ name: "resume-test", version: "1" })
    await client.connect(first)
    const sessionId = first.sessionId ?? ""
    let finish: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      finish = resolve
    })
    server.sessions.get(sessionId)?.server.registerTool("slow_echo", {}, async () => {
      await gate
      return { content: [{ type: "text", text: "resumed" }] }
    })
    let token: string | undefined
    const pending = client
      .request({ method: "tools/call", params: { name: "slow_echo", arguments: {} } }, CallToolResultSchema, {
        onresumptiontoken: (t) => {
          token = t
        },
      })
      .catch(() => undefined)
    await waitFor(() => token !== undefined, "a resumption token")
    await client.close()
    await pending
    finish()

    const second = new StreamableHTTPClientTransport(new URL(server.url), { sessionId })
    const again = new Client({ name: "resume-test", version: "1" })
    await again.connect(second)
    const result = await again.request(
      { method: "tools/call", params: { name: "slow_echo", arguments: {} } },
      CallToolResultSchema,
      { resumptionToken: token },
    )
    expect(result.content).toEqual([{ type: "text", text: "resumed" }])
    await again.close()
  })

  test("a cursor from another session finds nothing; a malformed one is a 400", async () => {
    await using env = await startServices()
    await using server = serve(env.services)
    const a = await openSession(server.url)
    const b = await openSession(server.url)
    await server.sessions.get(a.id)?.server.sendToolListChanged()
    await server.sessions.get(a.id)?.server.sendToolListChanged()

    // Session b asks to resume from the start of a's GET stream: its own (empty) stream is all it gets.
    const stolen = await resume(server.url, b.headers, "_GET_stream:0")
    expect(stolen.status).toBe(200)
    const reader = sseReader(stolen)
    await server.sessions.get(b.id)?.server.sendPromptListChanged()
    expect(JSON.parse((await reader.next()).data).method).toBe("notifications/prompts/list_changed")
    await reader.cancel()

    for (const bad of ["nonsense", "some-post-stream:1"]) {
      const res = await resume(server.url, a.headers, bad)
      expect(res.status).toBe(400)
      await res.body?.cancel()
    }
  })

  test("DELETE ends the session and forgets its events", async () => {
    await using env = await startServices()
    const log = createMemoryEventLog()
    await using server = serve(env.services, { events: log })
    const { id, headers } = await openSession(server.url)
    await server.sessions.get(id)?.server.sendToolListChanged()
    expect(await log.has(id, "_GET_stream")).toBe(true)
    const res = await fetch(server.url, { method: "DELETE", headers })
    expect(res.status).toBe(200)
    expect(server.sessions.size).toBe(0)
    expect(await log.has(id, "_GET_stream")).toBe(false)
    expect((await fetch(server.url, { method: "DELETE", headers })).status).toBe(404)
  })
})
