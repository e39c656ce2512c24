import { describe, expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { contentImageId } from "@/core/images/ids"
import type { Services } from "@/core/services"
import { readPixels } from "@/core/transform/pixels"
import { createMcpServer } from "@/mcp/server"
import { quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"

/** The real server and a real SDK client. */
async function connectEditor() {
  const started = await startServices()
  const server = createMcpServer(started.services, { transport: "stdio" })
  const client = new Client({ name: "test-client", version: "1" })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  const call = (name: string, args: Record<string, unknown>) =>
    client.callTool({ name, arguments: args }) as Promise<CallToolResult>
  return {
    services: started.services,
    call,
    text: (result: CallToolResult) => (result.content[0] as { text: string }).text,
    async [Symbol.asyncDispose]() {
      await client.close()
      await server.close()
      await started[Symbol.asyncDispose]()
    },
  }
}

const RED = [255, 0, 0, 255]
const GREEN = [0, 255, 0, 255]
const BLUE = [0, 0, 255, 255]
const WHITE = [255, 255, 255, 255]

/** The saved image: its record, size and the colour of each corner (top-left, top-right, bottom-left, bottom-right). */
async function saved(services: Services, id: string) {
  const record = await services.images.require(id)
  const bytes = await services.images.readOriginal(record)
  const pixels = await readPixels(new Bun.Image(bytes))
  const at = (x: number, y: number) => [
    ...pixels.data.subarray((y * pixels.width + x) * 4, (y * pixels.width + x) * 4 + 4),
  ]
  const [w, h] = [pixels.width - 1, pixels.height - 1]
  return { record, bytes, size: [pixels.width, pixels.height], corners: [at(0, 0), at(w, 0), at(0, h), at(w, h)] }
}

describe("edit_image", () => {
  test("returns compact JSON and the full-resolution original", async () => {
    await using env = await connectEditor()
    const bytes = quadrantPng(600, 400)
    const record = await addImage(env.services, bytes, { prompt: "four squares" })
    const result = await env.call("edit_image", { image_id: record.id })
    expect(env.text(result)).toBe(
      JSON.stringify({
        editable: true,
        image_id: record.id,
        content_type: "image/png",
        dimensions: [600, 400],
        prompt: "four squares",
        provider: "placeholder",
      }),
    )
    expect(result.content[1]).toEqual({
      type: "image",
      data: Buffer.from(bytes).toString("base64"),
      mimeType: "image/png",
    })
    const unknown = await env.call("edit_image", { image_id: "0123456789ab" })
    expect(unknown.isError).toBe(true)
    expect(env.text(unknown)).toContain("Image '0123456789ab' not found")
  })
})

describe("_save_edited_image", () => {
  // quadrantPng: top-left red, top-right green, bottom-left blue, bottom-right white.
  const cases: [string, Record<string, unknown>, number[], number[][]][] = [
    ["crop", { crop: { x: 0, y: 0, w: 100, h: 50 } }, [100, 50], [RED, RED, RED, RED]],
    ["rotate 90 (clockwise)", { rotate: 90 }, [100, 200], [BLUE, RED, WHITE, GREEN]],
    ["rotate 180", { rotate: 180 }, [200, 100], [WHITE, BLUE, GREEN, RED]],
    ["rotate 270", { rotate: 270 }, [100, 200], [GREEN, WHITE, RED, BLUE]],
    ["flip horizontal", { flip_horizontal: true }, [200, 100], [GREEN, RED, WHITE, BLUE]],
    ["flip vertical", { flip_vertical: true }, [200, 100], [BLUE, WHITE, RED, GREEN]],
    ["both flips", { flip_horizontal: true, flip_vertical: true }, [200, 100], [WHITE, BLUE, GREEN, RED]],
    [
      "crop then rotate",
      { crop: { x: 100, y: 0, w: 100, h: 100 }, rotate: 90 },
      [100, 100],
      [WHITE, GREEN, WHITE, GREEN],
    ],
    ["rotate then flip", { rotate: 90, flip_horizontal: true }, [100, 200], [RED, BLUE, GREEN, WHITE]],
  ]
  test.each(cases)("%s", async (_, edit, size, corners) => {
    await using env = await connectEditor()
    const source = await addImage(env.services, quadrantPng(200, 100), { prompt: "four squares" })
    const result = await env.call("_save_edited_image", { source_image_id: source.id, ...edit })
    expect(result.isError).toBeFalsy()
    const body = JSON.parse(env.text(result))
    const out = await saved(env.services, body.image_id)
    expect(body).toEqual({
      image_id: out.record.id,
      source_image_id: source.id,
      original_uri: `image://${out.record.id}/view`,
    })
    expect(out.size).toEqual(size)
    expect(out.corners).toEqual(corners)
    expect(out.record.id).toBe(contentImageId(out.bytes))
    expect(out.record).toMatchObject({
      provider: "edited",
      prompt: "four squares",
      negativePrompt: null,
      sourceImageIds: [source.id],
      origin: "generated",
      originSource: null,
      providerMetadata: {},
      contentType: "image/png",
      width: size[0],
      height: size[1],
    })
    const sidecar = JSON.parse(await env.services.images.readSidecar(out.record.id))
    expect(sidecar).toMatchObject({ provider: "edited", source_image_ids: [source.id], origin: "generated" })
  })

  test.each([
    ["image/jpeg", "jpeg"],
    ["image/webp", "webp"],
  ] as const)("keeps the source format (%s)", async (contentType, format) => {
    await using env = await connectEditor()
    const bytes = await new Bun.Image(quadrantPng(64, 32))[format]({ quality: 95 }).bytes()
    const source = await addImage(env.services, bytes, { contentType })
    const body = JSON.parse(env.text(await env.call("_save_edited_image", { source_image_id: source.id, rotate: 90 })))
    const record = await env.services.images.require(body.image_id)
    expect(record).toMatchObject({ contentType, width: 32, height: 64 })
    expect(record.originalFilename).toEndWith(format === "jpeg" ? ".jpg" : ".webp")
  })

  test("the same edit twice yields the same content-addressed image", async () => {
    await using env = await connectEditor()
    const source = await addImage(env.services, quadrantPng(40, 20))
    const first = JSON.parse(
      env.text(await env.call("_save_edited_image", { source_image_id: source.id, rotate: 180 })),
    )
    const again = JSON.parse(
      env.text(await env.call("_save_edited_image", { source_image_id: source.id, rotate: 180 })),
    )
    expect(again.image_id).toBe(first.image_id)
    expect(await env.services.images.count()).toBe(2)
  })

  const invalid: [string, Record<string, unknown>, string][] = [
    [
      "a missing crop key",
      { crop: { x: 0, y: 0, w: 10 } },
      'crop must have integer keys x, y, w, h; got {"x":0,"y":0,"w":10}',
    ],
    ["a non-numeric crop value", { crop: { x: "a", y: 0, w: 1, h: 1 } }, "crop must have integer keys x, y, w, h; got"],
    [
      "a crop past the edge",
      { crop: { x: 150, y: 0, w: 100, h: 50 } },
      "Crop box (150, 0, 100x50) does not fit within image dimensions 200x100.",
    ],
    [
      "a negative crop origin",
      { crop: { x: -1, y: 0, w: 10, h: 10 } },
      "Crop box (-1, 0, 10x10) does not fit within image dimensions 200x100.",
    ],
    [
      "an empty crop",
      { crop: { x: 0, y: 0, w: 0, h: 10 } },
      "Crop box (0, 0, 0x10) does not fit within image dimensions 200x100.",
    ],
    ["rotate 45", { rotate: 45 }, "rotate only supports 90, 180, or 270 degrees (clockwise); got 45."],
    ["rotate -90", { rotate: -90 }, "rotate only supports 90, 180, or 270 degrees (clockwise); got -90."],
    ["nothing to do", { rotate: 0 }, "The edit changes nothing"],
    ["edits that cancel out", { rotate: 180, flip_horizontal: true, flip_vertical: true }, "The edit changes nothing"],
  ]
  test.each(invalid)("refuses %s and saves nothing", async (_, edit, message) => {
    await using env = await connectEditor()
    const source = await addImage(env.services, quadrantPng(200, 100))
    const result = await env.call("_save_edited_image", { source_image_id: source.id, ...edit })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toContain(message)
    expect(await env.services.images.count()).toBe(1)
  })

  test("numeric strings and fractional numbers in crop are truncated like int()", async () => {
    await using env = await connectEditor()
    const source = await addImage(env.services, quadrantPng(200, 100))
    const crop = { x: "100", y: 50.9, w: 100.2, h: "50" }
    const body = JSON.parse(env.text(await env.call("_save_edited_image", { source_image_id: source.id, crop })))
    const out = await saved(env.services, body.image_id)
    expect(out.size).toEqual([100, 50])
    expect(out.corners).toEqual([WHITE, WHITE, WHITE, WHITE])
  })

  test("an unknown source is the not-found error", async () => {
    await using env = await connectEditor()
    const result = await env.call("_save_edited_image", { source_image_id: "0123456789ab", rotate: 90 })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toBe("[server] Image '0123456789ab' not found. Read image://list to see available IDs.")
  })
})
