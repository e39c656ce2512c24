import { describe, expect, test } from "bun:test"
import { VERSION } from "@/version"
import { connect } from "../helpers/mcp"

const WRITE_TOOLS = [
  "generate_image",
  "transform_image",
  "cancel_generation",
  "delete_image",
  "fetch_image",
  "ingest_base64_image",
  "save_style",
  "delete_style",
]
const READ_TOOLS = [
  "check_generation_status",
  "show_image",
  "list_providers",
  "get_server_info",
  "get_usage",
  "list_resources",
  "read_resource",
  "browse_gallery",
  "edit_image",
  "search_images",
]

describe("read-only mode", () => {
  test("is the default: write tools are neither listed nor callable", async () => {
    await using env = await connect({ env: { IMAGE_GENERATION_MCP_READ_ONLY: "" } })
    const names = (await env.client.listTools()).tools.map((t) => t.name)
    expect(names.sort()).toEqual([...READ_TOOLS].sort())
    for (const name of WRITE_TOOLS) {
      const result = await env.call(name, { prompt: "x", image_id: "0123456789ab" })
      expect(result.isError).toBe(true)
      expect(env.text(result)).toContain(`Tool ${name} not found`)
    }
    expect(await env.services.jobs.listUnfinished()).toEqual([])
  })

  test("READ_ONLY=false exposes the write tools with the write tag", async () => {
    await using env = await connect({ env: { IMAGE_GENERATION_MCP_READ_ONLY: "false" } })
    const tools = (await env.client.listTools()).tools
    expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort())
    for (const tool of tools) {
      const tagged = (tool._meta as { _fastmcp?: { tags?: string[] } } | undefined)?._fastmcp?.tags ?? []
      expect(tagged.includes("write")).toBe(WRITE_TOOLS.includes(tool.name))
    }
  })

  test("the instructions say which mode the server is in", async () => {
    await using ro = await connect({ env: { IMAGE_GENERATION_MCP_READ_ONLY: "true" } })
    expect(ro.client.getInstructions()).toContain("READ-ONLY")
    await using rw = await connect()
    expect(rw.client.getInstructions()).toContain("READ-WRITE")
    await using custom = await connect({ env: { IMAGE_GENERATION_MCP_INSTRUCTIONS: "Brand images for ACME." } })
    expect(custom.client.getInstructions()).toBe("Brand images for ACME.")
  })
})

describe("tool metadata", () => {
  test("annotations follow the reference table; icons are set", async () => {
    await using env = await connect()
    const tools = Object.fromEntries((await env.client.listTools()).tools.map((t) => [t.name, t]))
    expect(tools.generate_image?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      openWorldHint: true,
    })
    expect(tools.delete_image?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: false,
    })
    expect(tools.check_generation_status?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true })
    expect(tools.list_providers?.annotations).toMatchObject({
      readOnlyHint: true,
      openWorldHint: true,
      idempotentHint: false,
    })
    expect(tools.show_image?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
    expect(tools.generate_image?.icons).toEqual([
      { src: "https://unpkg.com/lucide-static/icons/image-plus.svg", mimeType: "image/svg+xml" },
    ])
    for (const name of ["generate_image", "show_image", "delete_image", "list_providers"])
      expect(tools[name]?.icons).toHaveLength(1)
    const description = tools.generate_image?.description ?? ""
    for (const word of ["style_profile", "warnings", "prompt_style", "check_generation_status", "show_image"]) {
      expect(description).toContain(word)
    }
    expect(tools.generate_image).not.toHaveProperty("_meta.ui")
  })

  test("tools/list matches the recorded snapshot", async () => {
    await using env = await connect()
    const { tools } = await env.client.listTools()
    expect(tools).toMatchSnapshot()
  })

  test("get_server_info reports name and versions", async () => {
    await using env = await connect()
    const result = await env.call("get_server_info")
    expect(result.structuredContent).toEqual({
      server_name: "image-generation-mcp",
      server_version: VERSION,
      core_version: expect.stringContaining("@modelcontextprotocol/sdk"),
    })
    await using named = await connect({ env: { IMAGE_GENERATION_MCP_SERVER_NAME: "studio-images" } })
    expect((await named.call("get_server_info")).structuredContent).toMatchObject({ server_name: "studio-images" })
    expect(named.client.getServerVersion()).toMatchObject({ name: "studio-images", version: VERSION })
  })
})
