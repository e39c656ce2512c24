import { describe, expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { Services } from "@/core/services"
import { imageListJson } from "@/mcp/resources/images"
import { createMcpServer } from "@/mcp/server"
import type { GenerateResult } from "@/providers/types"
import { gate } from "../fixture/fake-provider"
import { dimensions, quadrantPng, rgbaPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"

interface AppsEnv extends AsyncDisposable {
  services: Services
  server: McpServer
  client: Client
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>
  json(result: CallToolResult): Record<string, unknown>
  /** Holds a generation in the given state until the env is disposed. */
  job(prompt: string, state?: "generating" | "failed" | "cancelled"): Promise<string>
}

/** The real server, a real SDK client, and helpers. */
async function connectApps(env: Record<string, string> = {}): Promise<AppsEnv> {
  const started = await startServices({ env })
  const { services } = started
  const server = createMcpServer(services, { transport: "stdio" })
  const client = new Client({ name: "test-client", version: "1" })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  const holds: ReturnType<typeof gate<GenerateResult>>[] = []
  let jobs = 0
  return {
    services,
    server,
    client,
    call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    json: (result) => JSON.parse((result.content[0] as { text: string }).text),
    async job(prompt, state = "generating") {
      const id = `f0000000${String(++jobs).padStart(4, "0")}`
      const hold = gate<GenerateResult>()
      hold.promise.catch(() => {})
      holds.push(hold)
      const params = { prompt, provider: "placeholder", negativePrompt: null, aspectRatio: "1:1", quality: "standard" }
      await services.jobs.start(id, { ...params, background: "opaque", model: null, sourceImageIds: [] }, () =>
        state === "failed" ? Promise.reject(new Error("boom")) : hold.promise,
      )
      if (state === "failed") await services.jobs.watch(id, () => {})
      if (state === "cancelled") await services.jobs.cancel(id)
      await Bun.sleep(2)
      return id
    },
    async [Symbol.asyncDispose]() {
      for (const hold of holds) hold.reject(new Error("test over"))
      await client.close()
      await server.close()
      await started[Symbol.asyncDispose]()
    },
  }
}

/** Adds `count` images a few ms apart (so their order is certain); returns their ids, oldest first. */
async function addImages(services: Services, count: number, prompt = (i: number) => `image ${i}`) {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    ids.push((await addImage(services, quadrantPng(8 + i, 8), { prompt: prompt(i) })).id)
    await Bun.sleep(2)
  }
  return ids
}

/** Incompressible pixels: about 4 bytes per pixel as PNG. */
function randomPng(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4)
  for (let i = 0; i < data.length; i += 65_536) crypto.getRandomValues(data.subarray(i, i + 65_536))
  return rgbaPng({ width, height, data })
}

function registered(server: McpServer, name: string): { _meta?: Record<string, unknown> } | undefined {
  return (server as unknown as { _registeredTools: Record<string, { _meta?: Record<string, unknown> }> })
    ._registeredTools[name]
}

describe("MCP Apps tool metadata", () => {
  test("viewer and gallery tools carry their resourceUri; app-only tools are unlisted but callable", async () => {
    await using env = await connectApps()
    const tools = Object.fromEntries((await env.client.listTools()).tools.map((t) => [t.name, t]))
    for (const name of ["browse_gallery", "edit_image", "search_images", "show_image"])
      expect(tools[name]).toBeDefined()
    for (const name of ["gallery_page", "gallery_full_image", "_save_edited_image"]) expect(tools[name]).toBeUndefined()
    const viewer = "ui://image-viewer/view.html"
    const gallery = "ui://image-gallery/view.html"
    expect(tools.show_image?._meta).toEqual({ ui: { resourceUri: viewer }, "ui/resourceUri": viewer })
    expect(tools.edit_image?._meta).toEqual({ ui: { resourceUri: viewer }, "ui/resourceUri": viewer })
    expect(tools.browse_gallery?._meta).toEqual({ ui: { resourceUri: gallery }, "ui/resourceUri": gallery })
    expect(tools.search_images?._meta).toBeUndefined()
    for (const name of ["browse_gallery", "edit_image", "search_images", "show_image"]) {
      expect(tools[name]?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
    }
    expect(tools.browse_gallery?.icons?.[0]?.src).toEndWith("/images.svg")
    expect(tools.edit_image?.icons?.[0]?.src).toEndWith("/crop.svg")
    for (const name of ["gallery_page", "gallery_full_image"]) {
      expect(registered(env.server, name)?._meta).toEqual({
        ui: { resourceUri: gallery, visibility: ["app"] },
        "ui/resourceUri": gallery,
      })
    }
    const save = registered(env.server, "_save_edited_image")?._meta
    expect(save).toEqual({ ui: { visibility: ["app"] }, _fastmcp: { tags: ["write"] } })
    const page = await env.call("gallery_page", {})
    expect(page.isError).toBeFalsy()
    expect(env.json(page)).toEqual({ total: 0, page: 1, page_size: 12, origin: "generated", items: [] })
  })

  test("read-only mode hides _save_edited_image (not callable) but keeps edit_image and the gallery", async () => {
    await using env = await connectApps({ IMAGE_GENERATION_MCP_READ_ONLY: "true" })
    const names = (await env.client.listTools()).tools.map((t) => t.name)
    expect(names).toEqual(expect.arrayContaining(["browse_gallery", "edit_image", "search_images", "show_image"]))
    expect(names).not.toContain("_save_edited_image")
    expect(registered(env.server, "_save_edited_image")).toBeUndefined()
    const save = await env.call("_save_edited_image", { source_image_id: "0123456789ab", rotate: 90 })
    expect(save.isError).toBe(true)
    expect((save.content[0] as { text: string }).text).toContain("Tool _save_edited_image not found")
    expect((await env.call("gallery_full_image", { image_id: "0123456789ab" })).isError).toBe(true)
  })
})

describe("browse_gallery", () => {
  test("page 1 holds 12 items: unfinished generations first, newest first, then images newest first", async () => {
    await using env = await connectApps()
    const ids = await addImages(env.services, 14)
    const first = await env.job("a failed one", "failed")
    const second = await env.job("a running one")
    const third = await env.job("a cancelled one", "cancelled")
    const body = env.json(await env.call("browse_gallery", {}))
    expect(body).toMatchObject({ total: 17, page: 1, page_size: 12, origin: "generated" })
    const items = body.items as Record<string, unknown>[]
    expect(items.map((i) => i.image_id)).toEqual([third, second, first, ...ids.reverse().slice(0, 9)])
    expect(items.slice(0, 3).map((i) => i.status)).toEqual(["cancelled", "generating", "failed"])
    expect(Object.keys(items[1] ?? {})).toEqual([
      "image_id",
      "status",
      "prompt",
      "provider",
      "progress",
      "progress_message",
    ])
    expect(items[1]).toEqual({
      image_id: second,
      status: "generating",
      prompt: "a running one",
      provider: "placeholder",
      progress: 0,
      progress_message: "",
    })
    const image = items[3] as Record<string, unknown>
    expect(Object.keys(image)).toEqual([
      "image_id",
      "status",
      "prompt",
      "provider",
      "dimensions",
      "created_at",
      "thumbnail_b64",
      "content_type",
      "origin",
    ])
    expect(image).toMatchObject({ status: "completed", prompt: "image 13", dimensions: [21, 8], origin: "generated" })
    expect(image.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/)
    expect(await dimensions(Buffer.from(image.thumbnail_b64 as string, "base64"))).toEqual({
      width: 21,
      height: 8,
      format: "webp",
    })
  })

  test("thumbnails fit 128 px; the origin filter applies to totals and drops pending for imported", async () => {
    await using env = await connectApps()
    const big = await addImage(env.services, quadrantPng(400, 200))
    const imported = await env.services.images.register({
      bytes: quadrantPng(30, 30),
      contentType: "image/png",
      prompt: "",
      provider: "",
      aspectRatio: "",
      quality: "",
      background: "opaque",
      origin: "imported",
      originSource: "upload",
    })
    await env.job("still going")
    const generated = env.json(await env.call("browse_gallery", { origin: "generated" }))
    expect(generated.total).toBe(2)
    const thumb = (generated.items as Record<string, string>[]).find((i) => i.image_id === big.id)?.thumbnail_b64
    expect(await dimensions(Buffer.from(thumb ?? "", "base64"))).toEqual({ width: 128, height: 64, format: "webp" })
    const onlyImported = env.json(await env.call("browse_gallery", { origin: "imported" }))
    expect(onlyImported).toMatchObject({ total: 1, origin: "imported" })
    expect((onlyImported.items as Record<string, unknown>[]).map((i) => [i.image_id, i.origin])).toEqual([
      [imported.id, "imported"],
    ])
    const all = env.json(await env.call("browse_gallery", { origin: "all" }))
    expect((all.items as Record<string, unknown>[]).map((i) => i.status)).toEqual([
      "generating",
      "completed",
      "completed",
    ])
    expect(all.total).toBe(3)
    expect((await env.call("browse_gallery", { origin: "everything" })).isError).toBe(true)
  })

  test("query narrows images and unfinished generations alike and is echoed", async () => {
    await using env = await connectApps()
    await addImages(env.services, 4, (i) => (i % 2 ? `a red lighthouse ${i}` : `a blue barn ${i}`))
    const running = await env.job("Lighthouse at night")
    await env.job("a barn at night")
    const body = env.json(await env.call("browse_gallery", { query: "lightho", origin: "all" }))
    expect(body).toMatchObject({ total: 3, query: "lightho" })
    const items = body.items as Record<string, unknown>[]
    expect(items.map((i) => i.prompt)).toEqual(["Lighthouse at night", "a red lighthouse 3", "a red lighthouse 1"])
    expect(items[0]?.image_id).toBe(running)
    const bad = await env.call("browse_gallery", { query: "!!!" })
    expect(bad.isError).toBe(true)
    expect((bad.content[0] as { text: string }).text).toBe(
      "query must contain at least one word (letters or digits); got '!!!'.",
    )
  })
})

describe("gallery_page", () => {
  test("paginates across the pending/completed boundary and past the end", async () => {
    await using env = await connectApps()
    const ids = (await addImages(env.services, 7)).reverse()
    const pending = [await env.job("p1"), await env.job("p2")].reverse()
    const order = [...pending, ...ids]
    const page = async (args: Record<string, unknown>) => env.json(await env.call("gallery_page", args))
    for (const n of [1, 2, 3]) {
      const body = await page({ page: n, page_size: 4 })
      expect(body).toMatchObject({ total: 9, page: n, page_size: 4, origin: "generated" })
      expect((body.items as Record<string, unknown>[]).map((i) => i.image_id)).toEqual(order.slice((n - 1) * 4, n * 4))
    }
    expect(await page({ page: 4, page_size: 4 })).toEqual({
      total: 9,
      page: 4,
      page_size: 4,
      origin: "generated",
      items: [],
    })
    expect(await page({ page: 1_000_000, page_size: 24 })).toMatchObject({ total: 9, items: [] })
  })

  test("page is at least 1 and page_size is kept within 1..24", async () => {
    await using env = await connectApps()
    await addImages(env.services, 26)
    const page = async (args: Record<string, unknown>) => env.json(await env.call("gallery_page", args))
    expect(await page({ page: 0, page_size: 0 })).toMatchObject({ page: 1, page_size: 1, total: 26 })
    expect(((await page({ page: -3, page_size: 0 })).items as unknown[]).length).toBe(1)
    const big = await page({ page_size: 100 })
    expect(big).toMatchObject({ page: 1, page_size: 24 })
    expect((big.items as unknown[]).length).toBe(24)
    const second = await page({ page: 2, page_size: 100 })
    expect((second.items as unknown[]).length).toBe(2)
    expect((await env.call("gallery_page", { page: 1.5 })).isError).toBe(true)
  })
})

describe("gallery_full_image", () => {
  test("an original up to 1 MiB comes back as it is, with its metadata", async () => {
    await using env = await connectApps()
    const bytes = quadrantPng(300, 200)
    const record = await addImage(env.services, bytes, { prompt: "small one" })
    const body = env.json(await env.call("gallery_full_image", { image_id: record.id }))
    expect(body).toEqual({
      image_id: record.id,
      b64: Buffer.from(bytes).toString("base64"),
      content_type: "image/png",
      dimensions: [300, 200],
      prompt: "small one",
      provider: "placeholder",
      created_at: record.createdAt,
    })
  })

  test("above 1 MiB: WebP q85 1024 px wide, never enlarged; dimensions stay the original's", async () => {
    await using env = await connectApps()
    const wide = await addImage(env.services, randomPng(1400, 700))
    const narrow = await addImage(env.services, randomPng(700, 700))
    expect(wide.originalSizeBytes).toBeGreaterThan(1_048_576)
    expect(narrow.originalSizeBytes).toBeGreaterThan(1_048_576)
    const wideBody = env.json(await env.call("gallery_full_image", { image_id: wide.id }))
    expect(wideBody).toMatchObject({ content_type: "image/webp", dimensions: [1400, 700] })
    const wideSize = await dimensions(Buffer.from(wideBody.b64 as string, "base64"))
    expect(wideSize).toEqual({ width: 1024, height: 512, format: "webp" })
    const narrowBody = env.json(await env.call("gallery_full_image", { image_id: narrow.id }))
    expect(narrowBody).toMatchObject({ content_type: "image/webp", dimensions: [700, 700] })
    const narrowSize = await dimensions(Buffer.from(narrowBody.b64 as string, "base64"))
    expect(narrowSize).toEqual({ width: 700, height: 700, format: "webp" })
  })

  test("an unknown id is an error", async () => {
    await using env = await connectApps()
    const result = await env.call("gallery_full_image", { image_id: "0123456789ab" })
    expect(result.isError).toBe(true)
    expect((result.content[0] as { text: string }).text).toBe(
      "[server] Image '0123456789ab' not found. Read image://list to see available IDs.",
    )
  })
})

describe("search_images", () => {
  test("items have the image://list shape, newest first, with the filters applied", async () => {
    await using env = await connectApps()
    const ids = await addImages(env.services, 5, (i) => (i % 2 ? `a foggy harbour ${i}` : `a sunny field ${i}`))
    const body = env.json(await env.call("search_images", { query: "harbour" }))
    expect(body.query).toBe("harbour")
    expect(body.total).toBe(2)
    const listed = JSON.parse(await imageListJson(env.services)) as Record<string, unknown>[]
    const expected = [ids[3], ids[1]].map((id) => listed.find((item) => item.image_id === id))
    expect(body.items).toEqual(expected)
    const none = env.json(await env.call("search_images", { query: "harbour", provider: "openai" }))
    expect(none).toEqual({ query: "harbour", total: 0, items: [] })
    const today = (await env.services.images.require(ids[0] as string)).createdAt.slice(0, 10)
    const dated = env.json(await env.call("search_images", { query: "field", since: today, limit: 1 }))
    expect(dated).toMatchObject({ total: 3, items: [expect.objectContaining({ image_id: ids[4] })] })
  })

  test("bad input is an isError result with a clear message, never an SQLite error", async () => {
    await using env = await connectApps()
    await addImages(env.services, 1)
    const text = async (args: Record<string, unknown>) => {
      const result = await env.call("search_images", args)
      return { isError: result.isError ?? false, text: (result.content[0] as { text: string }).text }
    }
    expect(await text({ query: "x", since: "last week" })).toEqual({
      isError: true,
      text: "since must be an ISO-8601 date (2026-03-24) or timestamp (2026-03-24T10:00:00Z); got 'last week'.",
    })
    expect((await text({ query: "x", limit: 500 })).isError).toBe(true)
    for (const query of ['image" OR 1', "NEAR(image", "image*)", "-image", "image:"]) {
      const result = await text({ query })
      expect(result.isError).toBe(false)
      expect(result.text).not.toMatch(/sqlite|fts5|syntax/i)
    }
  })
})
