// Live previews from OpenAI: a streamed answer's partial images reach onPreview; the final image is the result.
import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import type { AppError } from "@/core/errors"
import { readPixels } from "@/core/transform/pixels"
import { createOpenAIProvider, type OpenAIOptions } from "@/providers/openai/provider"
import { PARTIAL_IMAGES } from "@/providers/openai/stream"
import type { PreviewImage } from "@/providers/types"
import { FINAL_RGB, fakeOpenAI, OPENAI_ERRORS, partialRgb } from "../fixture/fake-openai"
import { imageRequests, KEY, lastRequest, png, rejection, request } from "./openai-helpers"

const fake = fakeOpenAI({ apiKey: KEY })
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())

const openai = (o: Partial<OpenAIOptions> = {}) => createOpenAIProvider({ apiKey: KEY, baseUrl: fake.url, ...o })

/** Options that collect previews, with a signal the test may abort. */
function watching() {
  const previews: PreviewImage[] = []
  const controller = new AbortController()
  return {
    previews,
    controller,
    options: { signal: controller.signal, onPreview: (p: PreviewImage) => previews.push(p) },
  }
}

/** The colour of a solid image's first pixel. */
async function colourOf(data: Uint8Array): Promise<number[]> {
  const { data: rgba } = await readPixels(new Bun.Image(data).resize(1, 1, { filter: "box" }))
  return [...rgba.subarray(0, 3)]
}

describe("openai live previews", () => {
  test(`asks for ${PARTIAL_IMAGES} partial images only when previews are wanted, and hands each to onPreview`, async () => {
    const { previews, options } = watching()
    const result = await openai().generate(request(), options)
    expect(lastRequest(fake).json).toMatchObject({ stream: true, partial_images: PARTIAL_IMAGES, n: 1 })
    expect(lastRequest(fake).events.map((e) => e.type)).toEqual([
      "image_generation.partial_image",
      "image_generation.partial_image",
      "image_generation.completed",
    ])
    expect(previews.map((p) => p.contentType)).toEqual(["image/png", "image/png"])
    for (const [i, preview] of previews.entries()) {
      expect(await new Bun.Image(preview.data).metadata()).toEqual({ width: 1024, height: 1024, format: "png" })
      expect(await colourOf(preview.data)).toEqual([...partialRgb(i, PARTIAL_IMAGES)])
    }
    expect(await colourOf(result.data)).toEqual([...FINAL_RGB])
    expect(result.contentType).toBe("image/png")
    expect(result.metadata).toMatchObject({ size: "1024x1024", partial_images: 2 })

    await openai().generate(request(), { signal: new AbortController().signal })
    expect(lastRequest(fake).json).not.toContainKey("stream")
    expect(lastRequest(fake).json).not.toContainKey("partial_images")
    expect(lastRequest(fake).events).toEqual([])
  })

  test("edits stream too, and previews carry the output format", async () => {
    const { previews, options } = watching()
    const result = await openai({ outputFormat: "webp" }).generate(request({ referenceImages: [png()] }), options)
    expect(lastRequest(fake).form?.fields).toMatchObject({ stream: "true", partial_images: "2" })
    expect(lastRequest(fake).events.map((e) => e.type)).toEqual([
      "image_edit.partial_image",
      "image_edit.partial_image",
      "image_edit.completed",
    ])
    expect(previews.map((p) => p.contentType)).toEqual(["image/webp", "image/webp"])
    expect((await new Bun.Image(previews[0]?.data ?? new Uint8Array()).metadata()).format).toBe("webp")
    expect(result.metadata).toMatchObject({ edited: true, partial_images: 2 })
  })

  test("a final image that comes before the partials is the result; fewer previews are fine", async () => {
    fake.set({ partialsBeforeFinal: 0 })
    const { previews, options } = watching()
    const result = await openai().generate(request(), options)
    expect(previews).toEqual([])
    expect(await colourOf(result.data)).toEqual([...FINAL_RGB])
    expect(result.metadata).toMatchObject({ partial_images: 0 })
  })

  test("a cancel mid-stream rejects with the cancel's reason, hangs up, and no preview follows", async () => {
    const held = fake.holdNextStream()
    const { previews, controller, options } = watching()
    const pending = openai().generate(request(), options)
    await held.partialsSent
    await Bun.sleep(0)
    const seenBefore = previews.length
    const reason = new Error("cancelled by the user")
    controller.abort(reason)
    expect(await rejection(pending)).toBe(reason)
    await held.closed
    expect(lastRequest(fake)).toMatchObject({ disconnected: true })
    expect(previews.length).toBe(seenBefore)
    expect(lastRequest(fake).events.map((e) => e.type)).not.toContain("image_generation.completed")
  })

  test("a gateway that answers a streaming request without streaming still gives the image, without previews", async () => {
    fake.replyNext("ignore-stream")
    const { previews, options } = watching()
    const result = await openai().generate(request(), options)
    expect(lastRequest(fake).json).toMatchObject({ stream: true })
    expect(lastRequest(fake).events).toEqual([])
    expect(previews).toEqual([])
    expect(await colourOf(result.data)).toEqual([...FINAL_RGB])
    expect(result.metadata).toMatchObject({ partial_images: 0 })
    fake.replyNext("html")
    const error = (await rejection(openai().generate(request(), watching().options))) as AppError
    expect(error.message).toContain("Empty response from image API")
  })

  test("a stream cut before the final image is a clear, retryable failure", async () => {
    fake.replyNext("stream-cut")
    const { previews, options } = watching()
    const error = (await rejection(openai().generate(request(), options))) as AppError
    expect(previews).toHaveLength(2)
    expect(error).toMatchObject({ kind: "unavailable", code: "stream_cut" })
    expect(error.message).toContain("ended before the final image")
  })

  test("errors before the stream starts are classified as without previews; a broken onPreview breaks nothing", async () => {
    fake.failNext(OPENAI_ERRORS.moderationBlocked)
    const { options } = watching()
    expect(await rejection(openai().generate(request(), options))).toMatchObject({ kind: "content_policy" })
    const result = await openai().generate(request(), {
      signal: new AbortController().signal,
      onPreview: () => {
        throw new Error("viewer broke")
      },
    })
    expect(await colourOf(result.data)).toEqual([...FINAL_RGB])
    expect(imageRequests(fake)).toHaveLength(2)
  })
})
