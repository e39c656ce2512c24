import { describe, expect, test } from "bun:test"
import { readdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { createMcpServer } from "@/mcp/server"
import { startServices } from "../helpers/services"

/** The real server (its style library in a temp dir) and a real SDK client. */
async function connectStyles(env: Record<string, string> = {}) {
  const started = await startServices({ env })
  const styles = started.services.styles
  const server = createMcpServer(started.services, { transport: "stdio" })
  const client = new Client({ name: "test-client", version: "1.0.0" })
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(serverSide), client.connect(clientSide)])
  const call = (name: string, args: Record<string, unknown> = {}) =>
    client.callTool({ name, arguments: args }) as Promise<CallToolResult>
  const text = (result: { content: unknown }) => {
    const item = (result.content as { type: string; text?: string }[])[0]
    return item?.text ?? ""
  }
  const readText = async (uri: string) => {
    const content = (await client.readResource({ uri })).contents[0]
    return content && "text" in content ? content.text : ""
  }
  const prompt = async (style_name: string, user_request = "a lighthouse at dusk") => {
    const result = await client.getPrompt({ name: "apply_style", arguments: { style_name, user_request } })
    expect(result.messages).toHaveLength(1)
    const message = result.messages[0]
    expect(message?.role).toBe("user")
    return message?.content.type === "text" ? message.content.text : ""
  }
  return {
    ...started,
    styles,
    client,
    call,
    text,
    readText,
    prompt,
    async [Symbol.asyncDispose]() {
      await client.close()
      await server.close()
      await started[Symbol.asyncDispose]()
    },
  }
}

const BRAND = {
  name: "brand-x",
  body: "Flat vector shapes in teal and coral.\n\nGenerous white space; no gradients.",
  tags: ["brand", "web, modern"],
  provider: "openai",
  aspect_ratio: "16:9",
  quality: "hd",
}

describe("style resources", () => {
  test("style://list is a sorted JSON summary and style://{name} the raw file", async () => {
    await using env = await connectStyles()
    expect(JSON.parse(await env.readText("style://list"))).toEqual([])
    await writeFile(join(env.config.stylesDir, "zz.md"), "---\nname: Zebra\n---\n\n\n  Stripes only.  \nMore.\n")
    expect(env.text(await env.call("save_style", BRAND))).toBe(
      JSON.stringify({ name: "brand-x", created: true }, null, 2),
    )
    const list = await env.readText("style://list")
    expect(list).toBe(
      JSON.stringify(
        [
          {
            name: "Zebra",
            tags: [],
            description: "Stripes only.",
            provider: null,
            aspect_ratio: null,
            quality: null,
          },
          {
            name: "brand-x",
            tags: ["brand", "web, modern"],
            description: "Flat vector shapes in teal and coral.",
            provider: "openai",
            aspect_ratio: "16:9",
            quality: "hd",
          },
        ],
        null,
        2,
      ),
    )
    const detail = await env.client.readResource({ uri: "style://brand-x" })
    expect(detail.contents[0]).toMatchObject({ uri: "style://brand-x", mimeType: "text/markdown" })
    expect(await env.readText("style://brand-x")).toBe(
      '---\nname: brand-x\ntags: ["brand", "web, modern"]\nprovider: openai\naspect_ratio: "16:9"\nquality: hd\n---\n\nFlat vector shapes in teal and coral.\n\nGenerous white space; no gradients.\n',
    )
  })

  test("an unknown style is a JSON-RPC error with the reference text; hostile names find nothing", async () => {
    await using env = await connectStyles()
    const error = await env.client.readResource({ uri: "style://nope" }).catch((e: Error) => e)
    expect((error as Error).message).toBe(
      "MCP error -32602: [server] Style not found: 'nope'. Use style://list to see available styles.",
    )
    for (const uri of ["style://..%2F..%2Fetc%2Fpasswd", "style://%2Fabs", "style://a%00b"]) {
      await expect(env.client.readResource({ uri })).rejects.toThrow("Style not found")
    }
  })

  test("resources are listed with names, MIME types and the palette icon, and reachable through the bridge", async () => {
    await using env = await connectStyles()
    const resources = (await env.client.listResources()).resources.filter((r) => r.uri.startsWith("style://"))
    expect(resources).toEqual([
      expect.objectContaining({ uri: "style://list", name: "style_list", mimeType: "application/json" }),
    ])
    expect(resources[0]?.icons?.[0]?.src).toEndWith("/palette.svg")
    const resourceTemplates = (await env.client.listResourceTemplates()).resourceTemplates.filter((t) =>
      t.uriTemplate.startsWith("style://"),
    )
    expect(resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: "style://{name}", name: "style_detail", mimeType: "text/markdown" }),
    ])
    await env.call("save_style", { name: "bridged", body: "Via the bridge." })
    expect(env.text(await env.call("read_resource", { uri: "style://bridged" }))).toBe(
      "---\nname: bridged\n---\n\nVia the bridge.\n",
    )
    expect(JSON.parse(env.text(await env.call("read_resource", { uri: "style://list" })))).toHaveLength(1)
  })
})

describe("save_style and delete_style", () => {
  test("listed with hints and icons in read-write mode", async () => {
    await using env = await connectStyles()
    const { tools } = await env.client.listTools()
    const save = tools.find((t) => t.name === "save_style")
    const remove = tools.find((t) => t.name === "delete_style")
    expect(save?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: false })
    expect(remove?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: false })
    expect(save?.icons?.[0]?.src).toEndWith("/save.svg")
    expect(remove?.icons?.[0]?.src).toEndWith("/trash-2.svg")
    expect(Object.keys(save?.inputSchema.properties ?? {})).toEqual([
      "name",
      "body",
      "tags",
      "provider",
      "aspect_ratio",
      "quality",
    ])
    expect(save?.inputSchema.required).toEqual(["name", "body"])
    expect(save?.description).toContain("apply_style")
    expect(remove?.inputSchema.required).toEqual(["name"])
  })

  test("absent and uncallable in read-only mode, while resources and the prompt stay", async () => {
    await using env = await connectStyles({ IMAGE_GENERATION_MCP_READ_ONLY: "true" })
    const names = (await env.client.listTools()).tools.map((t) => t.name)
    expect(names).not.toContain("save_style")
    expect(names).not.toContain("delete_style")
    const result = await env.call("save_style", { name: "x", body: "y" })
    expect(result.isError).toBe(true)
    expect(await readdir(env.config.stylesDir).catch(() => [])).toEqual([])
    expect(JSON.parse(await env.readText("style://list"))).toEqual([])
    expect((await env.client.listPrompts()).prompts.map((p) => p.name)).toContain("apply_style")
  })

  test("save overwrites (created false), delete removes, and both are seen at once", async () => {
    await using env = await connectStyles()
    await env.call("save_style", BRAND)
    const again = await env.call("save_style", { name: "brand-x", body: "Now monochrome.", tags: null })
    expect(JSON.parse(env.text(again))).toEqual({ name: "brand-x", created: false })
    expect(await env.readText("style://brand-x")).toBe("---\nname: brand-x\n---\n\nNow monochrome.\n")
    const deleted = await env.call("delete_style", { name: "brand-x" })
    expect(env.text(deleted)).toBe(JSON.stringify({ name: "brand-x", deleted: true }, null, 2))
    expect(JSON.parse(await env.readText("style://list"))).toEqual([])
    const missing = await env.call("delete_style", { name: "brand-x" })
    expect(missing.isError).toBe(true)
    expect(env.text(missing)).toBe("[server] Style not found: 'brand-x'. Use style://list to see available styles.")
  })

  test("invalid names are refused with the reference text; unknown arguments are refused", async () => {
    await using env = await connectStyles()
    for (const name of ["../x", "/abs", "a\0b", "ｂrand", "-x"]) {
      const result = await env.call("save_style", { name, body: "x" })
      expect(result.isError).toBe(true)
      expect(env.text(result)).toBe(
        `Invalid style name: '${name}'. Use only alphanumeric characters, hyphens, and underscores. Must start with an alphanumeric character.`,
      )
    }
    const extra = await env.call("save_style", { name: "ok", body: "x", colour: "red" })
    expect(extra.isError).toBe(true)
    expect(await readdir(env.config.stylesDir).catch(() => [])).toEqual([])
  })
})

describe("apply_style prompt", () => {
  test("listed with its two required arguments", async () => {
    await using env = await connectStyles()
    const prompts = (await env.client.listPrompts()).prompts.filter((p) => p.name === "apply_style")
    expect(prompts).toHaveLength(1)
    expect(prompts[0]?.icons?.[0]?.src).toEndWith("/palette.svg")
    expect(prompts[0]?.arguments?.map((a) => [a.name, a.required])).toEqual([
      ["style_name", true],
      ["user_request", true],
    ])
  })

  test("a saved style gives the request, the brief, its defaults and the instructions, in order", async () => {
    await using env = await connectStyles()
    await env.call("save_style", BRAND)
    const text = await env.prompt("brand-x")
    const order = [
      "# Apply Style: brand-x",
      "## User Request\n\na lighthouse at dusk",
      `## Style Creative Brief\n\n${BRAND.body}`,
      "## Style Defaults\n\n- Suggested provider: openai\n- Aspect ratio: 16:9\n- Quality: hd\n- Tags: brand, web, modern",
      "## Instructions",
    ]
    const positions = order.map((part) => text.indexOf(part))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    for (const fact of ["select_provider", "list_providers", "prompt_style", "score_9", "Danbooru", "Flux", "CLIP"]) {
      expect(text).toContain(fact)
    }
  })

  test("a style without defaults says so; an unknown style returns the not-found text", async () => {
    await using env = await connectStyles()
    await env.call("save_style", { name: "plain", body: "Soft pencil sketch." })
    expect(await env.prompt("plain")).toContain("## Style Defaults\n\n- (no defaults set)\n\n## Instructions")
    expect(await env.prompt("missing")).toBe(
      "Style 'missing' not found. Use style://list to browse available styles, or save_style to create a new one.",
    )
  })

  test("style_name completes from the library by prefix, ignoring case", async () => {
    await using env = await connectStyles()
    for (const name of ["brand-x", "Brand-y", "bold", "sketch"]) await env.call("save_style", { name, body: name })
    const complete = async (value: string) =>
      (
        await env.client.complete({
          ref: { type: "ref/prompt", name: "apply_style" },
          argument: { name: "style_name", value },
        })
      ).completion.values
    expect(await complete("bra")).toEqual(["Brand-y", "brand-x"])
    expect(await complete("")).toEqual(["Brand-y", "bold", "brand-x", "sketch"])
    expect(await complete("zzz")).toEqual([])
    await writeFile(join(env.config.stylesDir, "hand.md"), "---\nname: branded-by-hand\n---\nx\n")
    expect(await complete("brand")).toEqual(["Brand-y", "brand-x", "branded-by-hand"])
  })
})
