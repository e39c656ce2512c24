import { expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { Services } from "@/core/services"
import { type HttpServerOptions, startHttpServer } from "@/http/serve"
import { startServices } from "../helpers/services"
import { waitFor } from "../helpers/wait"
import { INITIALIZE, LIST_TOOLS, manualClock, post } from "./helpers"

test("initialize, tools/list, tools and the gallery resource over real HTTP", async () => {
  await using env = await startServices()
  await using server = serve(env.services)
  await using client = await connect(server.url)
  const { tools } = await client.listTools()
  expect(tools.map((t) => t.name)).toContain("generate_image")

  const info = (await client.callTool({ name: "get_server_info", arguments: {} })) as CallToolResult
  expect(info.isError).toBeFalsy()
  expect(text(info)).toContain(env.config.serverName)
  const providers = (await client.callTool({ name: "list_providers", arguments: {} })) as CallToolResult
  expect(text(providers)).toContain("placeholder")

  const list = await client.readResource({ uri: "image://list" })
  const first = list.contents[0]
  expect(first && "text" in first ? JSON.parse(first.text) : undefined).toEqual([])
})

test("two clients get two sessions; terminateSession deletes one", async () => {
  await using env = await startServices()
  await using server = serve(env.services)
  await using a = await connect(server.url)
  await using b = await connect(server.url)
  const [idA, idB] = [a.http.sessionId ?? "", b.http.sessionId ?? ""]
  expect(idA).not.toBe(idB)
  expect(server.sessions.ids().sort()).toEqual([idA, idB].sort())

  await a.http.terminateSession()
  expect(server.sessions.ids()).toEqual([idB])
  const res = await fetch(server.url, post(LIST_TOOLS, { "mcp-session-id": idA }))
  expect(res.status).toBe(404)
  expect((await b.listTools()).tools.length).toBeGreaterThan(0)
})

test("a closed client's session goes idle and is swept; its id then gets 404", async () => {
  await using env = await startServices()
  const clock = manualClock()
  await using server = serve(env.services, { idleTimeoutMs: 1000, sweepIntervalMs: 10, now: clock.now })
  const client = await connect(server.url)
  const id = client.http.sessionId ?? ""
  await client.listTools()
  // SDK 1.32's Client.close() aborts its streams but sends no DELETE: the session stays until swept.
  await client.close()
  // The server sees the aborted GET stream a moment later; until then the session is not idle.
  await waitFor(() => {
    clock.advance(1000)
    return server.sessions.size === 0
  }, "the idle session to be swept")
  const res = await fetch(server.url, post(LIST_TOOLS, { "mcp-session-id": id }))
  expect(res.status).toBe(404)
})

test("a GET event stream gets its headers at once", async () => {
  await using env = await startServices()
  await using server = serve(env.services)
  const init = await fetch(server.url, post(INITIALIZE))
  const id = init.headers.get("mcp-session-id") ?? ""
  await init.text()
  const started = performance.now()
  const res = await fetch(server.url, {
    headers: { accept: "text/event-stream", "mcp-session-id": id },
    signal: AbortSignal.timeout(1000),
  })
  expect(performance.now() - started).toBeLessThan(1000)
  expect(res.status).toBe(200)
  expect(res.headers.get("content-type")).toStartWith("text/event-stream")
  const reader = res.body?.getReader()
  const chunk = await reader?.read()
  expect(new TextDecoder().decode(chunk?.value)).toStartWith(": open")
  await reader?.cancel()
})

test("port 0 gives a real port in the url; stop() ends open streams and the listener", async () => {
  await using env = await startServices()
  const server = serve(env.services)
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/)
  expect(new URL(server.url).port).not.toBe("0")
  const client = await connect(server.url)
  await client.listTools()
  const started = performance.now()
  await server.stop()
  expect(performance.now() - started).toBeLessThan(1500)
  expect(server.sessions.size).toBe(0)
  await client.close()
  await expect(fetch(server.url, post(INITIALIZE))).rejects.toThrow()
})

function serve(services: Services, app?: HttpServerOptions["app"]) {
  const server = startHttpServer(services, { host: "127.0.0.1", port: 0, app })
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.stop() })
}

async function connect(url: string) {
  const transport = new StreamableHTTPClientTransport(new URL(url))
  const client = new Client({ name: "http-test", version: "1.0.0" })
  await client.connect(transport)
  return Object.assign(client, { http: transport, [Symbol.asyncDispose]: () => client.close() })
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("")
}
