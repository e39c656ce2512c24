import { describe, expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { applySdkPatches, checkSdkPatches, SdkShapeError } from "@/mcp/sdk-patches"
import { SDK_VERSION } from "@/version"

type Handler = (request: unknown, extra: unknown) => Promise<unknown>

/** A real server whose private handler map is swapped for `map`, built from the handlers it already has. */
function serverWith(map: (existing: Map<string, Handler>) => Map<string, Handler>): McpServer {
  const server = new McpServer({ name: "probe", version: "0" })
  const protocol = server.server as unknown as { _requestHandlers: Map<string, Handler> }
  protocol._requestHandlers = map(protocol._requestHandlers)
  return server
}

const lists = {
  icons: new Map([["drawn", "pen"]]),
  appOnly: new Set(["hidden"]),
  promptIcons: new Map([["guide", "book"]]),
}

describe("SDK patches", () => {
  test("the start-up check passes on the SDK this server is built with", async () => {
    await checkSdkPatches()
  })

  test("through a real client: icons on tools and prompts, app-only tools unlisted but callable", async () => {
    const server = new McpServer({ name: "patched", version: "0" })
    for (const name of ["drawn", "hidden", "plain"]) {
      server.registerTool(name, { description: name }, () => ({ content: [{ type: "text", text: `${name} ran` }] }))
    }
    server.registerPrompt("guide", { description: "guide" }, () => ({ messages: [] }))
    applySdkPatches({ server, ...lists })
    const client = new Client({ name: "c", version: "0" })
    const [a, b] = InMemoryTransport.createLinkedPair()
    await Promise.all([server.connect(a), client.connect(b)])
    const { tools } = await client.listTools()
    expect(tools.map((t) => [t.name, t.icons?.[0]?.src])).toEqual([
      ["drawn", "https://unpkg.com/lucide-static/icons/pen.svg"],
      ["plain", undefined],
    ])
    expect((await client.listPrompts()).prompts[0]?.icons?.[0]?.src).toBe(
      "https://unpkg.com/lucide-static/icons/book.svg",
    )
    expect(await client.callTool({ name: "hidden", arguments: {} })).toMatchObject({
      content: [{ text: "hidden ran" }],
    })
    await client.close()
  })

  test("a server without the private handler map fails at once, naming the SDK version", () => {
    const stub = { server: {} } as unknown as McpServer
    expect(() => applySdkPatches({ server: stub, ...lists })).toThrow(SdkShapeError)
    expect(() => applySdkPatches({ server: stub, ...lists })).toThrow(
      `@modelcontextprotocol/sdk ${SDK_VERSION} does not have the shape src/mcp/sdk-patches.ts relies on: Server has no _requestHandlers map`,
    )
  })

  test("list handlers that are no longer kept in the map fail the check", async () => {
    class Forgetful extends Map<string, Handler> {
      override set(key: string, value: Handler) {
        return key.endsWith("/list") ? this : super.set(key, value)
      }
    }
    const server = serverWith((existing) => new Forgetful(existing))
    await expect(checkSdkPatches(server)).rejects.toThrow("no tools/list handler in _requestHandlers")
  })

  test("a tools/list that answers in another shape fails the check", async () => {
    class Reshaped extends Map<string, Handler> {
      override set(key: string, value: Handler) {
        const sdkOwn = key === "tools/list" && !this.has(key)
        return super.set(key, sdkOwn ? async () => ({ items: [] }) : value)
      }
    }
    const server = serverWith((existing) => new Reshaped(existing))
    await expect(checkSdkPatches(server)).rejects.toThrow("tools/list answered without a 'tools' array")
  })
})
