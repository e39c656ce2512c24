import { describe, expect, test } from "bun:test"
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { dimensions, quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { connect } from "../helpers/mcp"

type Content = { uri: string; mimeType?: string; text?: string; blob?: string }

describe("image://{id}/view", () => {
  test("without parameters returns the original bytes unchanged", async () => {
    await using env = await connect()
    const original = quadrantPng(40, 20)
    const record = await addImage(env.services, original)
    const read = await env.client.readResource({ uri: `image://${record.id}/view` })
    const content = read.contents[0] as Content
    expect(content.mimeType).toBe("image/png")
    expect(Buffer.from(String(content.blob), "base64").equals(Buffer.from(original))).toBe(true)
  })

  test("format, width and height work in any order, each optional", async () => {
    await using env = await connect()
    const record = await addImage(env.services, quadrantPng(200, 100))
    const read = async (query: string) => {
      const content = (await env.client.readResource({ uri: `image://${record.id}/view?${query}` }))
        .contents[0] as Content
      const bytes = Buffer.from(String(content.blob), "base64")
      return { mimeType: content.mimeType, ...(await dimensions(bytes)) }
    }
    expect(await read("format=webp")).toEqual({ mimeType: "image/webp", width: 200, height: 100, format: "webp" })
    expect(await read("width=128")).toEqual({ mimeType: "image/png", width: 128, height: 64, format: "png" })
    expect(await read("height=50")).toEqual({ mimeType: "image/png", width: 100, height: 50, format: "png" })
    expect(await read("width=100&height=100")).toMatchObject({ width: 100, height: 100 })
    expect(await read("height=100&format=JPEG&width=100&quality=50")).toEqual({
      mimeType: "image/jpeg",
      width: 100,
      height: 100,
      format: "jpeg",
    })
  })

  test("bad values and unknown ids are JSON-RPC errors with the reason", async () => {
    await using env = await connect()
    const record = await addImage(env.services, quadrantPng(20, 20))
    await expect(env.client.readResource({ uri: `image://${record.id}/view?width=ten` })).rejects.toThrow(
      "width must be an integer; got 'ten'.",
    )
    await expect(env.client.readResource({ uri: "image://0123456789ab/view" })).rejects.toThrow(
      "[server] Image '0123456789ab' not found. Read image://list to see available IDs.",
    )
    await expect(env.client.readResource({ uri: "image://nothex/view" })).rejects.toThrow("Invalid image id 'nothex'")
    const error = await env.client.readResource({ uri: "image://0123456789ab/view" }).catch((e: Error) => e)
    expect((error as Error).message).toBe(
      "MCP error -32602: [server] Image '0123456789ab' not found. Read image://list to see available IDs.",
    )
    await expect(env.client.readResource({ uri: "image://0123456789ab/other" })).rejects.toThrow("not found")
  })
})

describe("image://{id}/metadata and image://list", () => {
  test("metadata is the sidecar verbatim; a missing sidecar is reported", async () => {
    await using env = await connect()
    const record = await addImage(env.services, quadrantPng(20, 20))
    const sidecarPath = join(env.config.scratchDir, `${record.id}.json`)
    const read = await env.client.readResource({ uri: `image://${record.id}/metadata` })
    expect((read.contents[0] as Content).text).toBe(await Bun.file(sidecarPath).text())
    await rm(sidecarPath)
    await expect(env.client.readResource({ uri: `image://${record.id}/metadata` })).rejects.toThrow(
      `[server] Metadata file missing for image '${record.id}'. Verify the image_id via image://list.`,
    )
  })

  test("image://list is [] on an empty gallery and lists completed images with origin fields", async () => {
    await using env = await connect()
    const empty = await env.client.readResource({ uri: "image://list" })
    expect(JSON.parse(String((empty.contents[0] as Content).text))).toEqual([])
    const first = await addImage(env.services, quadrantPng(20, 20), { prompt: "one" })
    const second = await addImage(env.services, quadrantPng(30, 20), { prompt: "two" })
    const list = JSON.parse(
      String(((await env.client.readResource({ uri: "image://list" })).contents[0] as Content).text),
    )
    expect(list.map((i: { image_id: string }) => i.image_id)).toEqual([first.id, second.id])
    expect(list[1]).toEqual({
      image_id: second.id,
      status: "completed",
      origin: "generated",
      origin_source: null,
      provider: "placeholder",
      content_type: "image/png",
      original_dimensions: [30, 20],
      original_uri: `image://${second.id}/view`,
      metadata_uri: `image://${second.id}/metadata`,
      resource_template: `image://${second.id}/view{?format,width,height,quality,crop_x,crop_y,crop_w,crop_h,rotate,flip}`,
      prompt: "two",
      created_at: second.createdAt,
    })
  })
})

describe("info://providers", () => {
  test("has the supported_* arrays, warnings and the same providers as list_providers", async () => {
    await using env = await connect()
    const info = JSON.parse(
      String(((await env.client.readResource({ uri: "info://providers" })).contents[0] as Content).text),
    )
    expect(info.supported_aspect_ratios).toEqual(["1:1", "16:9", "9:16", "3:2", "2:3"])
    expect(info.supported_quality_levels).toEqual(["standard", "hd"])
    expect(info.supported_backgrounds).toEqual(["opaque", "transparent"])
    expect(info.warnings).toEqual([])
    const tool = JSON.parse(env.text(await env.call("list_providers")))
    expect(Object.keys(info.providers)).toEqual(Object.keys(tool.providers))
  })
})

describe("resource bridge", () => {
  test("read_resource(image://list) on a fresh gallery is one text content that parses to []", async () => {
    await using env = await connect()
    const result = await env.call("read_resource", { uri: "image://list" })
    expect(result.content).toHaveLength(1)
    expect(JSON.parse(env.text(result))).toEqual([])
  })

  test("list_resources names static resources and templates", async () => {
    await using env = await connect()
    const listed = JSON.parse(env.text(await env.call("list_resources")))
    expect(listed).toContainEqual(
      expect.objectContaining({ uri: "image://list", name: "image_list", mime_type: "application/json" }),
    )
    expect(listed).toContainEqual(expect.objectContaining({ uri: "info://providers", name: "provider_capabilities" }))
    expect(listed).toContainEqual(
      expect.objectContaining({ uri_template: "image://{image_id}/metadata", name: "image_metadata" }),
    )
    expect(listed.map((r: { name: string }) => r.name)).toContain("image_view")
  })

  test("binary content comes back as base64; unknown URIs are errors", async () => {
    await using env = await connect()
    const original = quadrantPng(10, 10)
    const record = await addImage(env.services, original)
    const result = await env.call("read_resource", { uri: `image://${record.id}/view` })
    expect(Buffer.from(env.text(result), "base64").equals(Buffer.from(original))).toBe(true)
    const unknown = await env.call("read_resource", { uri: "unknown://nothing" })
    expect(unknown.isError).toBe(true)
    expect(env.text(unknown)).toBe("Unknown resource 'unknown://nothing'. Call list_resources to see what exists.")
  })
})
