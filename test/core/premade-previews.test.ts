import { describe, expect, test } from "bun:test"
import { TransformCache } from "@/core/transform/cache"
import { parseViewParams } from "@/core/transform/params"
import { webpPreview } from "@/core/transform/preview"
import { noisyPng, quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { startServices } from "../helpers/services"

const q = (query: string) => new URLSearchParams(query)
const INLINE = "format=webp&width=512"

/** Waits (yielding to the event loop, up to a generous deadline) until `ready()` holds. */
async function until(ready: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000
  while (!ready()) {
    if (performance.now() > deadline) throw new Error("condition not reached")
    await new Promise((resolve) => setImmediate(resolve))
  }
}

describe("previews made when an image is stored", () => {
  test("the show_image preview and the inline WebP are made after the store returns, then served as hits", async () => {
    await using env = await startServices()
    const { views } = env.services
    const record = await addImage(env.services, await noisyPng(1024, 768))
    // Nothing starts inside the store call: the caller (a job completing, an import) is answered first.
    expect(views.cache.stats).toEqual({ hits: 0, joins: 0, misses: 0 })
    await views.premade()
    expect(views.cache.stats).toEqual({ hits: 0, joins: 0, misses: 2 })
    expect(views.cache.size).toBe(2)

    const { preview, image } = await views.preview(record.id, q(""))
    const inline = await views.view(record.id, q(INLINE))
    expect(views.cache.stats).toEqual({ hits: 2, joins: 0, misses: 2 })
    expect(image).toEqual({ contentType: "image/png", width: 1024, height: 768 })
    expect({ width: preview.width, height: preview.height }).toEqual({ width: 512, height: 384 })
    expect(await new Bun.Image(inline.bytes).metadata()).toEqual({ width: 512, height: 384, format: "webp" })

    // The same bytes the request would have made without the cache.
    const original = await env.services.images.readOriginal(record)
    const fresh = await webpPreview(original, record, { maxPixels: env.config.maxInputPixels })
    expect(Buffer.from(preview.bytes).equals(Buffer.from(fresh.bytes))).toBe(true)
  })

  test("a request while the preview is being made waits for that work instead of starting its own", async () => {
    await using env = await startServices()
    const { views } = env.services
    const record = await addImage(env.services, await noisyPng(900, 900))
    await until(() => views.cache.stats.misses === 2)
    const [shown] = await Promise.all([views.preview(record.id, q("")), views.view(record.id, q(INLINE))])
    await views.premade()
    expect(views.cache.stats).toEqual({ hits: 0, joins: 2, misses: 2 })
    expect(shown.preview.width).toBe(512)
  })

  test("deleting an image drops its previews, including those still being made", async () => {
    await using env = await startServices()
    const { views, images } = env.services
    const kept = await addImage(env.services, await noisyPng(600, 400, 2))
    const done = await addImage(env.services, await noisyPng(600, 400, 3))
    await views.premade()
    expect(views.cache.size).toBe(4)
    await images.delete(done.id)
    expect(views.cache.size).toBe(2)

    const racing = await addImage(env.services, await noisyPng(600, 400, 4))
    await until(() => views.cache.stats.misses === 4)
    await images.delete(racing.id)
    await views.premade()
    const keys = [INLINE, ""].map((query) => TransformCache.key(racing.id, parseViewParams(q(query))))
    expect(keys.map((key) => views.cache.get(key))).toEqual([undefined, undefined])
    expect(views.cache.size).toBe(2)
    expect(views.cache.get(TransformCache.key(kept.id, parseViewParams(q(INLINE))))).toBeDefined()
  })

  test("nothing is made with the cache off, nor for images small enough to preview on request", async () => {
    await using off = await startServices({ env: { IMAGE_GENERATION_MCP_TRANSFORM_CACHE_SIZE: "0" } })
    await addImage(off.services, await noisyPng(800, 600))
    await off.services.views.premade()
    expect(off.services.views.cache.stats).toEqual({ hits: 0, joins: 0, misses: 0 })

    await using on = await startServices()
    await addImage(on.services, quadrantPng(256, 256))
    await on.services.views.premade()
    expect(on.services.views.cache.stats.misses).toBe(0)
  })
})

describe("transform cache sharing", () => {
  const entry = (n: number) => ({ bytes: new Uint8Array(n), contentType: "image/png", width: 1, height: 1 })

  test("one make per key however many ask at once; an eviction meanwhile keeps the result out", async () => {
    const cache = new TransformCache({ maxEntries: 10, maxBytes: 1000 })
    let makes = 0
    let release = () => {}
    const make = () => {
      makes++
      return new Promise<ReturnType<typeof entry>>((resolve) => {
        release = () => resolve(entry(10))
      })
    }
    const first = cache.through("a|1", make)
    const second = cache.through("a|1", make)
    release()
    expect(await first).toBe(await second)
    expect(makes).toBe(1)
    expect(cache.get("a|1")).toBeDefined()

    const evicted = cache.through("a|2", make)
    cache.evictImage("a")
    release()
    await evicted
    expect(cache.size).toBe(0)
    expect(cache.stats).toEqual({ hits: 0, joins: 1, misses: 2 })
  })

  test("a failed make is not stored and the next request tries again", async () => {
    const cache = new TransformCache({ maxEntries: 10, maxBytes: 1000 })
    await expect(cache.through("a|1", () => Promise.reject(new Error("broken")))).rejects.toThrow("broken")
    expect(await cache.through("a|1", async () => entry(5))).toMatchObject({ contentType: "image/png" })
    expect(cache.stats.misses).toBe(2)
  })
})
