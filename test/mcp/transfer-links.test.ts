import { describe, expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { Hono } from "hono"
import { TransferService } from "@/core/transfer/service"
import { transferRoutes } from "@/http/transfer"
import type { McpContext, Transport } from "@/mcp/context"
import { applySdkPatches } from "@/mcp/sdk-patches"
import { registerTransferLinkTools } from "@/mcp/tools/transfer-links"
import { quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"

const BASE = { IMAGE_GENERATION_MCP_BASE_URL: "https://images.example.com/sub/" }

/** A server with only the transfer tools (until they are wired into createMcpServer) and a connected client. */
async function connectTransfer(transport: Transport, env: Record<string, string> = BASE) {
  const base = await startServices({ env })
  const { services, config } = base
  const transfers = new TransferService({
    store: services.store.transfers,
    images: services.images,
    imports: services.imports,
    config: config.transfer,
    maxInputImageBytes: config.maxInputImageBytes,
  })
  const server = new McpServer({ name: "test", version: "0" })
  const ctx: McpContext = { server, services, transport, icons: new Map(), appOnly: new Set(), promptIcons: new Map() }
  registerTransferLinkTools(ctx, transfers)
  applySdkPatches(ctx)
  const client = new Client({ name: "test-client", version: "1.0.0" })
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(serverSide), client.connect(clientSide)])
  const app = new Hono()
  app.route("/", transferRoutes(transfers))
  const disposeBase = base[Symbol.asyncDispose]
  return Object.assign(base, {
    app,
    call: (name: string, args: Record<string, unknown>) =>
      client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    toolNames: async () => (await client.listTools().catch(() => ({ tools: [] }))).tools.map((t) => t.name).sort(),
    tools: async () => Object.fromEntries((await client.listTools()).tools.map((t) => [t.name, t])),
    async [Symbol.asyncDispose]() {
      await client.close()
      await server.close()
      await disposeBase()
    },
  })
}

const text = (result: CallToolResult) => (result.content[0]?.type === "text" ? result.content[0].text : "")
const LINKS = ["create_download_link", "create_upload_link"]

describe("registration", () => {
  test("present over HTTP with BASE_URL, with titles, hints and icons", async () => {
    await using env = await connectTransfer("http")
    const tools = await env.tools()
    expect(Object.keys(tools).sort()).toEqual(LINKS)
    expect(tools.create_download_link).toMatchObject({
      title: "Create Download Link",
      annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
      icons: [expect.objectContaining({ src: expect.stringContaining("/download.svg") })],
    })
    expect(tools.create_upload_link).toMatchObject({
      title: "Create Upload Link",
      annotations: { readOnlyHint: false },
      icons: [expect.objectContaining({ src: expect.stringContaining("/upload.svg") })],
      _meta: { _fastmcp: { tags: ["write"] } },
    })
    expect(tools.create_upload_link?.description).toContain("transform_image")
    expect(tools.create_download_link?.description).toContain("original")
  })

  test("absent on stdio (even with BASE_URL) and on HTTP without BASE_URL", async () => {
    await using stdio = await connectTransfer("stdio")
    expect(await stdio.toolNames()).toEqual([])
    await using bare = await connectTransfer("http", {})
    expect(await bare.toolNames()).toEqual([])
  })

  test("read-only mode hides the upload tool and keeps the download tool", async () => {
    await using env = await connectTransfer("http", { ...BASE, IMAGE_GENERATION_MCP_READ_ONLY: "true" })
    expect(await env.toolNames()).toEqual(["create_download_link"])
  })
})

describe("create_download_link", () => {
  test("returns {url, expires_in_s} under BASE_URL; the link downloads the original", async () => {
    await using env = await connectTransfer("http")
    const bytes = quadrantPng(8, 8)
    const { id } = await addImage(env.services, bytes)
    const result = await env.call("create_download_link", { ref: `image://${id}/view` })
    expect(result.isError).toBeFalsy()
    const link = result.structuredContent as { url: string; expires_in_s: number }
    expect(JSON.parse(text(result))).toEqual(link)
    expect(link.expires_in_s).toBe(3600)
    expect(link.url).toMatch(/^https:\/\/images\.example\.com\/sub\/transfer\/[A-Za-z0-9_-]{43}$/)
    const res = await env.app.request(new URL(link.url).pathname.replace("/sub", ""))
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array(bytes))
  })

  test("accepts the 1.10 names uri and ttl_seconds; TTL is clamped; conflicts and gaps are errors", async () => {
    await using env = await connectTransfer("http", { ...BASE, IMAGE_GENERATION_MCP_TRANSFER_TTL_MAX_S: "7200" })
    const { id } = await addImage(env.services, quadrantPng(8, 8))
    const old = await env.call("create_download_link", { uri: `image://${id}/view`, ttl_seconds: 300 })
    expect(old.structuredContent).toMatchObject({ expires_in_s: 300 })
    const clamped = await env.call("create_download_link", { ref: id, ttl_s: 100_000 })
    expect(clamped.structuredContent).toMatchObject({ expires_in_s: 7200 })
    const both = await env.call("create_download_link", { ref: id, uri: id })
    expect(both.isError).toBe(true)
    expect(text(both)).toBe("Pass ref or its older name uri, not both.")
    const neither = await env.call("create_download_link", { ttl_s: 60 })
    expect(text(neither)).toBe("ref is required: an image://<id> URI or a 12-hex image id.")
    const zero = await env.call("create_download_link", { ref: id, ttl_s: 0 })
    expect(zero.isError).toBe(true)
    expect(text(zero)).toContain("positive")
  })

  test("invalid and unknown references are errors", async () => {
    await using env = await connectTransfer("http")
    const invalid = await env.call("create_download_link", { ref: "cat.png" })
    expect(invalid.isError).toBe(true)
    expect(text(invalid)).toBe("Invalid image reference 'cat.png'; expected image://<id> or a 12-hex id.")
    const unknown = await env.call("create_download_link", { ref: "0123456789ab" })
    expect(text(unknown)).toContain("Image '0123456789ab' not found")
  })
})

describe("create_upload_link", () => {
  test("returns a link that takes one image into the gallery", async () => {
    await using env = await connectTransfer("http")
    const result = await env.call("create_upload_link", { ref: "photo.png", ttl_s: 60 })
    const link = result.structuredContent as { url: string; expires_in_s: number }
    expect(link.expires_in_s).toBe(60)
    const path = new URL(link.url).pathname.replace("/sub", "")
    const res = await env.app.request(path, { method: "PUT", body: quadrantPng(6, 6) })
    expect(res.status).toBe(200)
    const { image_id } = (await res.json()) as { image_id: string }
    expect(await env.services.images.require(image_id)).toMatchObject({ origin: "imported", originSource: "upload" })
  })

  test("refuses names with an unsupported extension", async () => {
    await using env = await connectTransfer("http")
    const result = await env.call("create_upload_link", { ref: "notes.txt" })
    expect(result.isError).toBe(true)
    expect(text(result)).toBe("Unsupported upload type '.txt'; expected a PNG/JPEG/WEBP image.")
  })
})
