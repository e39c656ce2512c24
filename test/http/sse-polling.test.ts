import { describe, expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js"
import type { Services } from "@/core/services"
import { startHttpServer } from "@/http/serve"
import { SSE_RETRY_MS } from "@/http/sessions"
import { dropProxy } from "../fixture/drop-proxy"
import { createFakeProvider, gate } from "../fixture/fake-provider"
import { startServices } from "../helpers/services"
import { waitFor, waitForValue } from "../helpers/wait"
import { INITIALIZE, LIST_TOOLS, post } from "./helpers"

function serve(services: Services) {
  const server = startHttpServer(services, { host: "127.0.0.1", port: 0 })
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.stop() })
}

async function openSession(url: string, protocolVersion: string): Promise<Record<string, string>> {
  const init = await fetch(url, post({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion } }))
  const id = init.headers.get("mcp-session-id") ?? ""
  await init.text()
  const headers = { "mcp-session-id": id, "mcp-protocol-version": protocolVersion }
  await fetch(url, post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers))
  return headers
}

/** A provider whose generations wait until the test lets them finish. */
function heldProvider() {
  const release = gate()
  const provider = createFakeProvider({
    name: "held",
    generate: async (request, signal) => {
      await release.promise
      return createFakeProvider().generate(request, { signal })
    },
  })
  return { provider, release: () => release.resolve() }
}

/** An SDK client through a proxy that can cut its connections; `resumes` are its GETs carrying Last-Event-ID. */
async function clientThroughProxy(url: string) {
  const proxy = await dropProxy(url)
  const client = new Client({ name: "polling-test", version: "1" })
  await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url)))
  const resumes = () => proxy.requests.filter((head) => /^GET /.test(head) && /^last-event-id: ?\S+/im.test(head))
  return {
    proxy,
    client,
    resumes,
    async [Symbol.asyncDispose]() {
      await client.close()
      await proxy[Symbol.asyncDispose]()
    },
  }
}

describe("SSE polling (2025-11-25)", () => {
  test("a POST response stream starts with a priming event: an event id, the retry field, empty data", async () => {
    await using env = await startServices()
    await using server = serve(env.services)
    const headers = await openSession(server.url, LATEST_PROTOCOL_VERSION)
    const text = await (await fetch(server.url, post(LIST_TOOLS, headers))).text()
    const events = text.split("\n\n").filter((block) => block && !block.startsWith(":"))
    expect(events[0]).toMatch(new RegExp(`^id: [^\\n]+:\\d+\\nretry: ${SSE_RETRY_MS}\\ndata: $`))
    expect(events[1]).toContain('"tools"')
  })

  test("a client of an older revision gets no priming event (it could not parse one)", async () => {
    await using env = await startServices()
    await using server = serve(env.services)
    const headers = await openSession(server.url, "2025-06-18")
    const text = await (await fetch(server.url, post(LIST_TOOLS, headers))).text()
    const events = text.split("\n\n").filter((block) => block && !block.startsWith(":"))
    expect(events).toHaveLength(1)
    expect(events[0]?.startsWith("event: message\nid: ")).toBe(true)
    expect(events[0]).toContain('"tools"')
  })

  test("a generation whose stream drops mid-way: the client resumes with Last-Event-ID and gets the result", async () => {
    const { provider, release } = heldProvider()
    await using env = await startServices({ deps: { extraProviders: [provider] } })
    await using server = serve(env.services)
    await using through = await clientThroughProxy(server.url)

    const progress: string[] = []
    const call = through.client.callTool(
      { name: "generate_image", arguments: { prompt: "x", provider: "held" } },
      undefined,
      {
        onprogress: (p) => void progress.push(p.message ?? ""),
      },
    )
    await waitFor(() => progress.length > 0, "the first progress notification")
    const droppedAt = performance.now()
    through.proxy.drop()
    const resume = await waitForValue(() => through.resumes()[0], "the client to resume")
    // The client waited the server's retry interval before reconnecting.
    expect(performance.now() - droppedAt).toBeGreaterThanOrEqual(SSE_RETRY_MS - 50)
    // The generation was still running when the stream dropped; it finishes on the resumed stream.
    const id = /generating (\w+)/.exec(progress[0] ?? "")?.[1] ?? ""
    expect((await env.services.generation.status(id)).status).toBe("generating")
    release()
    const result = await call
    expect(result.isError).toBeFalsy()
    const text = (result.content as { type: string; text?: string }[])[0]?.text ?? ""
    expect(JSON.parse(text)).toMatchObject({ status: "completed" })
    expect(resume).toMatch(/^last-event-id: ?\S+:\d+$/im)
  })

  test("a result produced while the client is away is replayed when it comes back", async () => {
    const { provider, release } = heldProvider()
    await using env = await startServices({ deps: { extraProviders: [provider] } })
    await using server = serve(env.services)
    await using through = await clientThroughProxy(server.url)

    const progress: string[] = []
    const call = through.client.callTool(
      { name: "generate_image", arguments: { prompt: "x", provider: "held" } },
      undefined,
      {
        onprogress: (p) => void progress.push(p.message ?? ""),
      },
    )
    await waitFor(() => progress.length > 0, "the first progress notification")
    through.proxy.drop()
    release()
    await env.services.jobs.idle()
    expect(through.resumes()).toHaveLength(0)
    const result = await call
    expect(JSON.parse((result.content as { text: string }[])[0]?.text ?? "")).toMatchObject({ status: "completed" })
    expect(through.resumes()).toHaveLength(1)
  })
})
