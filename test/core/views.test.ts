import { describe, expect, test } from "bun:test"
import { TransformCache } from "@/core/transform/cache"
import { parseViewParams } from "@/core/transform/params"
import { noisyPng, quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"

const q = (query: string) => new URLSearchParams(query)

describe("transform cache", () => {
  test("bypass requests never enter the cache; a repeat is served from it", async () => {
    await using env = await startServices()
    const { views } = env.services
    const image = await addImage(env.services, quadrantPng(64, 64))
    await views.view(image.id, q(""))
    await views.view(image.id, q("crop_x=3&crop_y=3"))
    expect(views.cache.size).toBe(0)
    const first = await views.view(image.id, q("width=32"))
    const second = await views.view(image.id, q("width=32"))
    expect(second).toBe(first)
    expect(views.cache.size).toBe(1)
  })

  test("holds at most TRANSFORM_CACHE_SIZE entries, evicting the least recently used", async () => {
    await using env = await startServices({ env: { IMAGE_GENERATION_MCP_TRANSFORM_CACHE_SIZE: "4" } })
    const { views } = env.services
    const image = await addImage(env.services, quadrantPng(64, 64))
    for (const width of [10, 20, 30, 40]) await views.view(image.id, q(`width=${width}`))
    await views.view(image.id, q("width=10"))
    await views.view(image.id, q("width=50"))
    expect(views.cache.size).toBe(4)
    const key = (width: number) => TransformCache.key(image.id, parseViewParams(q(`width=${width}`)))
    expect(views.cache.get(key(20))).toBeUndefined()
    expect(views.cache.get(key(10))).toBeDefined()
    expect(views.cache.get(key(50))).toBeDefined()
  })

  test("0 turns it off; a byte cap evicts too", async () => {
    await using off = await startServices({ env: { IMAGE_GENERATION_MCP_TRANSFORM_CACHE_SIZE: "0" } })
    const image = await addImage(off.services, quadrantPng(64, 64))
    await off.services.views.view(image.id, q("width=10"))
    expect(off.services.views.cache.size).toBe(0)

    const cache = new TransformCache({ maxEntries: 10, maxBytes: 100 })
    const entry = (n: number) => ({ bytes: new Uint8Array(n), contentType: "image/png", width: 1, height: 1 })
    cache.set("a|1", entry(60))
    cache.set("a|2", entry(30))
    cache.set("a|3", entry(30))
    expect(cache.get("a|1")).toBeUndefined()
    expect(cache.totalBytes).toBe(60)
    cache.set("a|4", entry(500))
    expect(cache.get("a|4")).toBeUndefined()
  })

  test("deleting an image evicts its entries; closing clears the cache", async () => {
    await using env = await startServices()
    const { views, images } = env.services
    const one = await addImage(env.services, quadrantPng(64, 64))
    const two = await addImage(env.services, quadrantPng(32, 64))
    await views.view(one.id, q("width=10"))
    await views.view(one.id, q("rotate=90"))
    await views.view(two.id, q("width=10"))
    await images.delete(one.id)
    expect(views.cache.size).toBe(1)
    await env.services.close()
    expect(views.cache.size).toBe(0)
  })
})

describe("previews", () => {
  test("a 2400x1600 source gives a ≤512 px WebP preview under 1 MB and a 128 px thumbnail", async () => {
    await using env = await startServices()
    const image = await addImage(env.services, await noisyPng(2400, 1600))
    const { preview, image: full } = await env.services.views.preview(image.id, q(""))
    expect(full).toMatchObject({ width: 2400, height: 1600 })
    expect(await new Bun.Image(preview.bytes).metadata()).toEqual({ width: 512, height: 341, format: "webp" })
    expect(preview.bytes.length).toBeLessThan(1_000_000)
    const thumb = await env.services.views.thumbnail(image.id)
    expect(await new Bun.Image(thumb.bytes).metadata()).toEqual({ width: 128, height: 85, format: "webp" })
  })

  test("a preview is kept under its byte budget by lowering quality, then size", async () => {
    await using env = await startServices()
    const image = await addImage(env.services, await noisyPng(1024, 1024))
    const { webpPreview } = await import("@/core/transform/preview")
    const original = await env.services.images.readOriginal(image)
    const tight = await webpPreview(
      original,
      { width: 1024, height: 1024 },
      { maxBytes: 60_000, maxPixels: 40_000_000 },
    )
    expect(tight.bytes.length).toBeLessThan(60_000)
    expect(tight.width).toBeLessThanOrEqual(512)
  })
})
