import { describe, expect, test } from "bun:test"
import { LivePreviews, livePreviewUri, NoLivePreviewError } from "@/core/previews/previews"
import { solidPng } from "@/providers/solid-png"
import type { PreviewCallback } from "@/providers/types"
import { gifBomb, pngBomb } from "../fixture/bombs"

const png = (shade: number, size = 8) => solidPng(size, size, [shade, shade, shade])

/** Runs `during` for `id` until the returned `finish` is called, exposing the provider's callback. */
function running(previews: LivePreviews, id: string, signal = new AbortController().signal) {
  let onPreview: PreviewCallback = () => {}
  const finished = Promise.withResolvers<string>()
  const done = previews.during(id, signal, (callback) => {
    onPreview = callback
    return finished.promise
  })
  return { put: (data: Uint8Array) => onPreview({ data, contentType: "image/png" }), finish: finished.resolve, done }
}

describe("live previews in memory", () => {
  test("the latest preview per job, numbered, its type read from the bytes; dropped when the work ends", async () => {
    const previews = new LivePreviews({ maxPixels: 1_000_000 })
    const job = running(previews, "aaaaaaaaaaaa")
    const heard: number[] = []
    const off = previews.on("aaaaaaaaaaaa", (p) => heard.push(p.number))
    job.put(png(10))
    const webp = await new Bun.Image(png(20)).webp().bytes()
    job.put(webp)
    expect(previews.get("aaaaaaaaaaaa")).toEqual({ data: webp, contentType: "image/webp", number: 2 })
    expect(heard).toEqual([1, 2])
    expect(previews.heldBytes).toBe(webp.length)
    job.finish("result")
    expect(await job.done).toBe("result")
    expect(previews.get("aaaaaaaaaaaa")).toBeUndefined()
    expect(previews.heldBytes).toBe(0)
    job.put(png(30))
    expect(previews.get("aaaaaaaaaaaa")).toBeUndefined()
    off()
    expect(livePreviewUri("aaaaaaaaaaaa")).toBe("image://aaaaaaaaaaaa/live-preview")
  })

  test("a cancel drops the preview at once, before the provider has unwound; later ones are ignored", async () => {
    const previews = new LivePreviews({ maxPixels: 1_000_000 })
    const controller = new AbortController()
    const job = running(previews, "bbbbbbbbbbbb", controller.signal)
    job.put(png(10))
    controller.abort()
    expect(previews.get("bbbbbbbbbbbb")).toBeUndefined()
    job.put(png(20))
    expect(previews.get("bbbbbbbbbbbb")).toBeUndefined()
    job.finish("late")
    await job.done
  })

  test("bytes that are no PNG, JPEG or WebP, declare too many pixels, or are too large are dropped", async () => {
    const previews = new LivePreviews({ maxPixels: 10_000, maxPreviewBytes: 4096 })
    const job = running(previews, "cccccccccccc")
    job.put(new Uint8Array([1, 2, 3, 4]))
    job.put(solidPng(8, 8, [1, 2, 3]).subarray(0, 10))
    job.put(pngBomb(200, 200))
    const large = new Uint8Array(5000)
    large.set(png(50))
    job.put(large)
    job.put(gifBomb(8, 8))
    expect(previews.get("cccccccccccc")).toBeUndefined()
    job.put(png(40))
    expect(previews.get("cccccccccccc")?.number).toBe(1)
    job.finish("x")
    await job.done
  })

  test("past the total cap the least recently updated job's preview goes first, never the newest", async () => {
    const one = png(1, 40)
    const cap = one.length * 2 + 64
    const previews = new LivePreviews({ maxPixels: 1_000_000, maxTotalBytes: cap })
    const a = running(previews, "aaaaaaaaaaaa")
    const b = running(previews, "bbbbbbbbbbbb")
    const c = running(previews, "cccccccccccc")
    a.put(one)
    b.put(png(2, 40))
    a.put(png(3, 40))
    c.put(png(4, 40))
    expect(previews.get("bbbbbbbbbbbb")).toBeUndefined()
    expect(previews.get("aaaaaaaaaaaa")?.number).toBe(2)
    expect(previews.get("cccccccccccc")?.number).toBe(1)
    expect(previews.heldBytes).toBeLessThanOrEqual(cap)
    for (const job of [a, b, c]) job.finish("x")
    await Promise.all([a.done, b.done, c.done])
    expect(previews.heldBytes).toBe(0)
  })

  test("no preview is a not_found error that says why and what to call", () => {
    const error = new NoLivePreviewError("dddddddddddd")
    expect(error.kind).toBe("not_found")
    expect(error.message).toContain('check_generation_status("dddddddddddd")')
  })
})
