import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { InputUnsupportedError, ProviderError, TooManyInputImagesError } from "@/providers/errors"
import { hasAlphaChannel, MaskError } from "@/providers/openai/mask"
import { createOpenAIProvider, type OpenAIOptions } from "@/providers/openai/provider"
import { solidPng } from "@/providers/solid-png"
import { fakeOpenAI } from "../fixture/fake-openai"
import { rgbaPng } from "../fixture/images"
import { errorBody, imageRequests, input, KEY, lastRequest, live, png, rejection, request } from "./openai-helpers"

const fake = fakeOpenAI({ apiKey: KEY })
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())

const openai = (o: Partial<OpenAIOptions> = {}) => createOpenAIProvider({ apiKey: KEY, baseUrl: fake.url, ...o })
const last = () => lastRequest(fake)
const maskPart = () => last().form?.files.find((f) => f.field === "mask")
/** An RGBA PNG mask: transparent (to repaint) everywhere. */
const clearMask = (width: number, height: number) => input(solidPng(width, height, [0, 0, 0], 0))

describe("openai edits", () => {
  test("one reference goes to images/edits as image[] reference_0.png with the exact fields", async () => {
    const ref = png(40, 30)
    const result = await openai().generate(request({ referenceImages: [ref] }), live())
    expect(last()).toMatchObject({ method: "POST", path: "/v1/images/edits", authorized: true, status: 200 })
    expect(last().form?.fields).toEqual({
      model: "gpt-image-2.6-sunburst",
      prompt: "a lighthouse",
      n: "1",
      size: "1024x1024",
      quality: "medium",
      background: "opaque",
      output_format: "png",
    })
    expect(last().form?.files).toEqual([
      { field: "image[]", name: "reference_0.png", type: "image/png", data: ref.data },
    ])
    expect(result.metadata).toEqual({
      model: "gpt-image-2.6-sunburst",
      size: "1024x1024",
      quality: "standard",
      api_quality: "medium",
      edited: true,
    })
  })

  test("several references keep their order and get extensions from their content types", async () => {
    const source = solidPng(32, 32, [1, 2, 3])
    const refs = [
      input(source),
      input(await new Bun.Image(source).jpeg().bytes(), "image/jpeg"),
      input(await new Bun.Image(source).webp().bytes(), "image/webp"),
    ]
    await openai().generate(request({ referenceImages: refs, aspectRatio: "16:9", negativePrompt: "rain" }), live())
    expect(last().status).toBe(200)
    const files = last().form?.files.map(({ field, name, type }) => ({ field, name, type }))
    expect(files).toEqual([
      { field: "image[]", name: "reference_0.png", type: "image/png" },
      { field: "image[]", name: "reference_1.jpg", type: "image/jpeg" },
      { field: "image[]", name: "reference_2.webp", type: "image/webp" },
    ])
    // FormData serialisation turns every LF into CRLF (WHATWG multipart encoding), as browsers do.
    expect(last().form?.fields).toMatchObject({ size: "1536x864", prompt: "a lighthouse\r\n\r\nAvoid: rain" })
  })

  test("exactly 16 references are accepted; 17 are refused before any request", async () => {
    const refs = (n: number) => Array.from({ length: n }, () => png())
    await openai().generate(request({ referenceImages: refs(16) }), live())
    expect(last().status).toBe(200)
    expect(last().form?.files.map((f) => f.name)).toEqual(Array.from({ length: 16 }, (_, i) => `reference_${i}.png`))
    fake.reset()
    const attempt = openai().generate(request({ referenceImages: refs(17) }), live())
    await expect(attempt).rejects.toBeInstanceOf(TooManyInputImagesError)
    await expect(attempt).rejects.toThrow(
      "[openai] Model 'gpt-image-2.6-sunburst' accepts at most 16 reference image(s); 17 were given.",
    )
    expect(fake.requests).toHaveLength(0)
  })

  test("a non-image model refuses references; a GIF reference and a mask without references are refused", async () => {
    const perCall = openai().generate(request({ model: "gpt-5.1", referenceImages: [png()] }), live())
    await expect(perCall).rejects.toThrow(new InputUnsupportedError("openai", "gpt-5.1"))
    const gif = openai().generate(request({ referenceImages: [input(new Uint8Array([1]), "image/gif")] }), live())
    await expect(gif).rejects.toThrow(
      "[openai] Unsupported input image content type 'image/gif'. Supported: image/jpeg, image/png, image/webp",
    )
    const masked = openai().generate(request({ mask: clearMask(32, 32) }), live())
    await expect(masked).rejects.toThrow(new ProviderError("openai", "mask requires reference_images"))
    expect(fake.requests).toHaveLength(0)
  })
})

describe("openai masks: converted to what the API takes, or refused", () => {
  test("an RGBA PNG of the first image's size goes as it is", async () => {
    const mask = clearMask(40, 30)
    await openai().generate(request({ referenceImages: [png(40, 30), png(64, 64)], mask }), live())
    expect(last().status).toBe(200)
    expect(maskPart()).toEqual({ field: "mask", name: "mask.png", type: "image/png", data: mask.data })
  })

  test("a WebP with alpha becomes an RGBA PNG the fake accepts", async () => {
    const webp = input(
      await new Bun.Image(solidPng(40, 30, [0, 0, 0], 0)).webp({ lossless: true }).bytes(),
      "image/webp",
    )
    expect(hasAlphaChannel(webp.data)).toBe(true)
    await openai().generate(request({ referenceImages: [png(40, 30)], mask: webp }), live())
    expect(last().status).toBe(200)
    const sent = maskPart()
    expect(sent).toMatchObject({ name: "mask.png", type: "image/png" })
    expect(sent?.data[25]).toBe(6)
    expect(await new Bun.Image(sent?.data ?? new Uint8Array()).metadata()).toEqual({
      width: 40,
      height: 30,
      format: "png",
    })
  })

  test("a mask of the same shape at another scale is resized to the first image's size", async () => {
    await openai().generate(request({ referenceImages: [png(80, 60)], mask: clearMask(40, 30) }), live())
    expect(last().status).toBe(200)
    const meta = await new Bun.Image(maskPart()?.data ?? new Uint8Array()).metadata()
    expect(meta).toEqual({ width: 80, height: 60, format: "png" })
  })

  test("a mask without an alpha channel is refused before any request, saying what is needed", async () => {
    const rgb = solidPng(32, 32, [255, 255, 255])
    const jpeg = await new Bun.Image(rgb).jpeg().bytes()
    for (const mask of [input(rgb), input(jpeg, "image/jpeg")]) {
      expect(hasAlphaChannel(mask.data)).toBe(false)
      const error = await rejection(openai().generate(request({ referenceImages: [png()], mask }), live()))
      expect(error).toBeInstanceOf(MaskError)
      expect((error as MaskError).kind).toBe("invalid_input")
      expect((error as Error).message).toBe(
        "[openai] The mask has no alpha channel. OpenAI repaints where the mask is fully transparent: give a PNG or WebP with transparency there and opaque pixels elsewhere.",
      )
    }
    expect(fake.requests).toHaveLength(0)
  })

  test("a mask of another shape is refused, naming both sizes", async () => {
    const attempt = openai().generate(request({ referenceImages: [png(40, 30)], mask: clearMask(30, 30) }), live())
    await expect(attempt).rejects.toThrow(
      "[openai] The mask is 30x30 but the first reference image is 40x30. A mask must have the shape of the first reference image (a different scale is resized).",
    )
    expect(fake.requests).toHaveLength(0)
  })

  test("a mask that stays 4 MB or more as a PNG is refused", async () => {
    const data = new Uint8Array(1100 * 1100 * 4)
    for (let i = 0; i < data.length; i += 65_536) crypto.getRandomValues(data.subarray(i, i + 65_536))
    const noisy = input(rgbaPng({ width: 1100, height: 1100, data }))
    expect(noisy.data.length).toBeGreaterThan(4_000_000)
    const attempt = openai().generate(request({ referenceImages: [png(1100, 1100)], mask: noisy }), live())
    await expect(attempt).rejects.toThrow(/The mask is \d+\.\d MB as a PNG; OpenAI takes masks under 4 MB/)
    expect(imageRequests(fake)).toHaveLength(0)
  })

  test("the fake refuses, with the service's messages, the masks the provider would otherwise have sent", async () => {
    const form = (mask: Uint8Array, image = solidPng(40, 30, [9, 9, 9])) => {
      const body = new FormData()
      body.append("model", "gpt-image-2")
      body.append("prompt", "x")
      body.append("image[]", new File([image], "a.png", { type: "image/png" }))
      body.append("mask", new File([mask], "mask.png", { type: "image/png" }))
      return fetch(`${fake.url}/images/edits`, { method: "POST", headers: { authorization: `Bearer ${KEY}` }, body })
    }
    const noAlpha = await form(solidPng(40, 30, [0, 0, 0]))
    expect(noAlpha.status).toBe(400)
    expect((await errorBody(noAlpha)).message).toBe("Invalid mask image format - mask image missing alpha channel")
    const wrongSize = await form(solidPng(20, 15, [0, 0, 0], 0))
    expect((await errorBody(wrongSize)).message).toBe("Invalid mask image format - mask size does not match image size")
    const webp = await form(await new Bun.Image(solidPng(40, 30, [0, 0, 0], 0)).webp({ lossless: true }).bytes())
    expect((await errorBody(webp)).message).toBe("Invalid mask image format - mask must be a PNG file")
    expect((await form(solidPng(40, 30, [0, 0, 0], 0))).status).toBe(200)
  })
})
