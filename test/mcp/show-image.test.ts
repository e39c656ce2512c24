import { describe, expect, test } from "bun:test"
import { createFakeProvider } from "../fixture/fake-provider"
import { dimensions, noisyPng, quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { connect } from "../helpers/mcp"

function imageOf(result: { content: { type: string }[] }) {
  const item = result.content.find((c) => c.type === "image") as { data: string; mimeType: string } | undefined
  if (!item) throw new Error("no image content")
  return { bytes: Buffer.from(item.data, "base64"), mimeType: item.mimeType, base64: item.data }
}

describe("show_image", () => {
  test("a 2400x1600 image comes back as a WebP preview of at most 512 px and under 1 MB", async () => {
    await using env = await connect()
    const record = await addImage(env.services, await noisyPng(2400, 1600), { providerMetadata: { model: "m-1" } })
    const result = await env.call("show_image", { uri: `image://${record.id}/view` })
    expect(result.isError).toBeFalsy()
    const image = imageOf(result)
    expect(image.mimeType).toBe("image/webp")
    expect(image.base64.length).toBeLessThan(1_000_000)
    const size = await dimensions(image.bytes)
    expect(size).toEqual({ width: 512, height: 341, format: "webp" })
    const info = JSON.parse((result.content[1] as { text: string }).text)
    expect(info).toMatchObject({
      image_id: record.id,
      prompt: "test image",
      provider: "placeholder",
      model: "m-1",
      prompt_style: null,
      dimensions: [2400, 1600],
      thumbnail_dimensions: [512, 341],
      original_size_bytes: record.originalSizeBytes,
      format: "image/png",
      transforms_applied: {},
    })
    expect(JSON.stringify(info)).not.toContain(env.config.scratchDir)
  })

  test("a small image is not enlarged", async () => {
    await using env = await connect()
    const record = await addImage(env.services, quadrantPng(64, 32))
    const result = await env.call("show_image", { uri: `image://${record.id}/view` })
    expect(JSON.parse((result.content[1] as { text: string }).text).thumbnail_dimensions).toEqual([64, 32])
  })

  test("transforms in the URI are applied and reported; quality is reported only when not 90", async () => {
    await using env = await connect()
    const record = await addImage(env.services, quadrantPng(200, 100))
    const jpeg = await env.call("show_image", { uri: `image://${record.id}/view?format=jpeg&quality=70` })
    const info = JSON.parse((jpeg.content[1] as { text: string }).text)
    expect(info.format).toBe("image/jpeg")
    expect(info.transforms_applied).toEqual({ format: "jpeg", quality: 70 })
    const plain = await env.call("show_image", { uri: `image://${record.id}/view?format=jpeg&quality=90` })
    expect(JSON.parse((plain.content[1] as { text: string }).text).transforms_applied).toEqual({ format: "jpeg" })
    const sized = await env.call("show_image", { uri: `image://${record.id}/view?width=100&height=100` })
    const sizedInfo = JSON.parse((sized.content[1] as { text: string }).text)
    expect(sizedInfo.dimensions).toEqual([100, 100])
    expect(sizedInfo.transforms_applied).toEqual({ width: 100, height: 100 })
  })

  test("right after a generation, show_image and the inline WebP view come from previews made at completion", async () => {
    const photo = await noisyPng(1200, 800)
    const camera = createFakeProvider({
      name: "camera",
      generate: async () => ({ data: photo, contentType: "image/png", metadata: { model: "camera-model" } }),
    })
    await using env = await connect({ deps: { extraProviders: [camera] } })
    const { cache } = env.services.views
    const started = JSON.parse(env.text(await env.call("generate_image", { prompt: "a photo", provider: "camera" })))
    await env.services.jobs.idle()
    await env.services.views.premade()
    const before = { ...cache.stats }
    const shown = await env.call("show_image", { uri: `image://${started.image_id}/view` })
    expect(cache.stats).toEqual({ ...before, hits: before.hits + 1 })
    expect(await dimensions(imageOf(shown).bytes)).toEqual({ width: 512, height: 341, format: "webp" })
    expect(JSON.parse((shown.content[1] as { text: string }).text)).toMatchObject({
      dimensions: [1200, 800],
      thumbnail_dimensions: [512, 341],
      format: "image/png",
    })
    const inline = await env.client.readResource({ uri: `image://${started.image_id}/view?format=webp&width=512` })
    expect(cache.stats).toEqual({ ...before, hits: before.hits + 2 })
    expect(inline.contents[0]?.mimeType).toBe("image/webp")

    const deleted = await env.call("delete_image", { image_id: started.image_id })
    expect(deleted.isError, env.text(deleted)).toBeFalsy()
    expect(cache.size).toBe(0)
  })

  test("a view that already is a small WebP is shown as it is, not encoded a second time", async () => {
    await using env = await connect()
    const record = await addImage(env.services, await noisyPng(800, 600))
    const uri = `image://${record.id}/view?format=webp&width=400`
    const shown = imageOf(await env.call("show_image", { uri }))
    const read = await env.client.readResource({ uri })
    expect(shown.base64).toBe((read.contents[0] as { blob: string }).blob)
  })

  const errors: [string, string][] = [
    ["https://example.com/cat.png", "Expected an image:// URI, got scheme 'https'"],
    ["file:///etc/passwd", "Expected an image:// URI, got scheme 'file'"],
    ["not a uri", "Expected an image:// URI such as image://<image_id>/view, got 'not a uri'."],
    [
      "image://UPPERCASE123/view",
      "Invalid image id 'UPPERCASE123': expected 12 lowercase hex characters. Read image://list.",
    ],
    ["image://0123456789ab/view", "[server] Image '0123456789ab' not found. Read image://list to see available IDs."],
  ]
  test.each(errors)("%s is refused clearly", async (uri, message) => {
    await using env = await connect()
    const result = await env.call("show_image", { uri })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toBe(message)
  })

  test.each([
    ["width=abc", "width must be an integer; got 'abc'."],
    ["width=-5", "width must be between 0 and 16384; got -5."],
    ["height=99999", "height must be between 0 and 16384; got 99999."],
    ["format=gif", "Unsupported format 'gif'. Choose from: ['jpeg', 'png', 'webp']"],
    ["quality=high", "quality must be an integer; got 'high'."],
  ])("a bad query value (%s) names the field", async (query, message) => {
    await using env = await connect()
    const record = await addImage(env.services, quadrantPng(20, 20))
    const result = await env.call("show_image", { uri: `image://${record.id}/view?${query}` })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toBe(message)
  })
})
