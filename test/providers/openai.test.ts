import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import {
  ContentPolicyError,
  InputUnsupportedError,
  ProviderConnectionError,
  ProviderError,
  TooManyInputImagesError,
} from "@/providers/errors"
import { OPENAI_PROFILES } from "@/providers/openai/profiles"
import { createOpenAIProvider, type OpenAIOptions } from "@/providers/openai/provider"
import type { GenerateRequest, InputImage } from "@/providers/types"
import { fakeOpenAI, OPENAI_ERRORS } from "../fixture/fake-openai"
import { testProvider } from "./contract"

const fake = fakeOpenAI()
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())

const live = () => ({ signal: new AbortController().signal })
const openai = (o: Partial<OpenAIOptions> = {}) => createOpenAIProvider({ apiKey: "sk-test", baseUrl: fake.url, ...o })
const request = (fields: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompt: "a lighthouse",
  aspectRatio: "1:1",
  quality: "standard",
  background: "opaque",
  ...fields,
})
const image = (contentType: string, bytes = [1, 2, 3]): InputImage => ({
  data: new Uint8Array(bytes),
  contentType: contentType as InputImage["contentType"],
  sourceId: null,
})
const last = () => {
  const seen = fake.requests.at(-1)
  if (!seen) throw new Error("the fake saw no request")
  return seen
}
const closedPortUrl = async () => {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
  const url = `http://127.0.0.1:${server.port}/v1`
  await server.stop(true)
  return url
}

testProvider("openai", {
  provider: () => openai(),
  additionalTests: () => {
    test("defaults to gpt-image-2 with the exact generations payload", async () => {
      const result = await openai().generate(request(), live())
      expect(last()).toMatchObject({ method: "POST", path: "/v1/images/generations", authorized: true })
      expect(last().json).toEqual({
        model: "gpt-image-2",
        prompt: "a lighthouse",
        n: 1,
        size: "1024x1024",
        quality: "auto",
        output_format: "png",
      })
      expect(result.contentType).toBe("image/png")
      expect(await new Bun.Image(result.data).metadata()).toEqual({ width: 1024, height: 1024, format: "png" })
      expect(result.metadata).toEqual({
        model: "gpt-image-2",
        size: "1024x1024",
        quality: "standard",
        api_quality: "auto",
      })
    })

    test.each([
      ["gpt-image-1", "1:1", "1024x1024"],
      ["gpt-image-1", "16:9", "1536x1024"],
      ["gpt-image-1", "9:16", "1024x1536"],
      ["gpt-image-1", "3:2", "1536x1024"],
      ["gpt-image-1", "2:3", "1024x1536"],
      ["dall-e-3", "1:1", "1024x1024"],
      ["dall-e-3", "16:9", "1792x1024"],
      ["dall-e-3", "9:16", "1024x1792"],
      ["dall-e-3", "3:2", "1792x1024"],
      ["dall-e-3", "2:3", "1024x1792"],
    ])("%s maps %s to %s", async (model, aspectRatio, size) => {
      const result = await openai({ model }).generate(request({ aspectRatio }), live())
      expect(last().json?.size).toBe(size)
      const [width, height] = size.split("x").map(Number)
      expect(await new Bun.Image(result.data).metadata()).toMatchObject({ width, height })
      expect(result.metadata.size).toBe(size)
    })

    test("an unsupported aspect ratio fails before any request", async () => {
      const attempt = openai().generate(request({ aspectRatio: "7:3" }), live())
      await expect(attempt).rejects.toThrow(
        new ProviderError("openai", "Unsupported aspect_ratio '7:3'. Supported: 16:9, 1:1, 2:3, 3:2, 9:16"),
      )
      expect(fake.requests).toHaveLength(0)
    })

    test("dall-e-3 asks for b64_json, sends raw quality and no background or output_format", async () => {
      fake.set({ revisedPrompt: "A tall lighthouse at dusk" })
      const provider = openai({ model: "dall-e-3" })
      const result = await provider.generate(request({ quality: "hd", background: "transparent" }), live())
      expect(last().json).toEqual({
        model: "dall-e-3",
        prompt: "a lighthouse",
        n: 1,
        size: "1024x1024",
        quality: "hd",
        response_format: "b64_json",
      })
      expect(result.contentType).toBe("image/png")
      expect(result.metadata).toEqual({
        model: "dall-e-3",
        size: "1024x1024",
        quality: "hd",
        api_quality: "hd",
        revised_prompt: "A tall lighthouse at dusk",
      })
    })

    test("a DALL·E default model rejects jpeg and webp output at construction", () => {
      for (const model of ["dall-e-3", "dall-e-2"]) {
        for (const outputFormat of ["jpeg", "webp"] as const) {
          expect(() => openai({ model, outputFormat })).toThrow(`${model} does not support output_format`)
        }
        expect(() => openai({ model, outputFormat: "png" })).not.toThrow()
      }
      const gif = { outputFormat: "gif" } as unknown as Partial<OpenAIOptions>
      expect(() => openai(gif)).toThrow("[openai] Unsupported output_format 'gif'")
      expect(() => openai({ apiKey: "" })).toThrow(ProviderError)
    })

    test.each(["jpeg", "webp"] as const)("output format %s is requested and labelled", async (outputFormat) => {
      const provider = openai({ model: "gpt-image-1", outputFormat })
      const result = await provider.generate(request(), live())
      expect(last().json?.output_format).toBe(outputFormat)
      expect(result.contentType).toBe(`image/${outputFormat}`)
      expect((await new Bun.Image(result.data).metadata()).format).toBe(outputFormat)
      const dalle = await provider.generate(request({ model: "dall-e-3" }), live())
      expect(last().json).not.toHaveProperty("output_format")
      expect(dalle.contentType).toBe("image/png")
    })

    test("a negative prompt becomes an Avoid clause on both paths", async () => {
      for (const model of ["gpt-image-1", "dall-e-3"]) {
        await openai({ model }).generate(request({ negativePrompt: "fog, people" }), live())
        expect(last().json?.prompt).toBe("a lighthouse\n\nAvoid: fog, people")
      }
    })

    test("quality maps standard→auto and hd→high for gpt-image; other values pass through", async () => {
      for (const [quality, wire] of [
        ["standard", "auto"],
        ["hd", "high"],
        ["low", "low"],
      ]) {
        const result = await openai().generate(request({ quality }), live())
        expect(last().json?.quality).toBe(wire)
        expect(result.metadata).toMatchObject({ quality, api_quality: wire })
      }
    })

    test.each([
      ["gpt-image-2", "transparent", undefined],
      ["gpt-image-2", "opaque", undefined],
      ["chatgpt-image-latest", "transparent", undefined],
      ["chatgpt-image-latest", "opaque", undefined],
      ["gpt-image-1.5", "transparent", "transparent"],
      ["gpt-image-1", "opaque", "opaque"],
    ])("%s with background %s sends %p", async (model, background, sent) => {
      await openai().generate(request({ model, background }), live())
      expect(last().json?.model).toBe(model)
      expect(last().json?.background).toBe(sent)
      expect(last().json?.output_format).toBe("png")
    })

    test("a per-call model switches the size table and the metadata", async () => {
      const fromGpt = await openai().generate(request({ aspectRatio: "16:9", model: "dall-e-3" }), live())
      expect(last().json).toMatchObject({ model: "dall-e-3", size: "1792x1024", response_format: "b64_json" })
      expect(fromGpt.metadata.model).toBe("dall-e-3")
      await openai({ model: "dall-e-3" }).generate(request({ aspectRatio: "16:9", model: "gpt-image-1" }), live())
      expect(last().json).toMatchObject({ model: "gpt-image-1", size: "1536x1024", output_format: "png" })
    })

    test("options left undefined fall back to the defaults", async () => {
      const provider = openai({ model: undefined, outputFormat: undefined, timeoutMs: undefined })
      const result = await provider.generate(request(), live())
      expect(last().json).toMatchObject({ model: "gpt-image-2", output_format: "png" })
      expect(result.contentType).toBe("image/png")
    })

    test("strength is ignored", async () => {
      await openai().generate(request({ strength: 0.4 }), live())
      expect(last().json).not.toHaveProperty("strength")
    })
  },
})

describe("openai edits", () => {
  test("one reference goes to images/edits as image[] reference_0.png with the exact fields", async () => {
    const ref = image("image/png", [9, 8, 7])
    const result = await openai().generate(request({ referenceImages: [ref] }), live())
    expect(last()).toMatchObject({ method: "POST", path: "/v1/images/edits", authorized: true })
    expect(last().form?.fields).toEqual({
      model: "gpt-image-2",
      prompt: "a lighthouse",
      n: "1",
      size: "1024x1024",
      quality: "auto",
      output_format: "png",
    })
    expect(last().form?.files).toEqual([
      { field: "image[]", name: "reference_0.png", type: "image/png", data: new Uint8Array([9, 8, 7]) },
    ])
    expect(result.metadata).toEqual({
      model: "gpt-image-2",
      size: "1024x1024",
      quality: "standard",
      api_quality: "auto",
      edited: true,
    })
  })

  test("several references keep their order and get extensions from their content types", async () => {
    const refs = [image("image/png"), image("image/jpeg"), image("image/webp")]
    const provider = openai({ model: "gpt-image-1.5" })
    await provider.generate(
      request({ referenceImages: refs, background: "transparent", negativePrompt: "rain" }),
      live(),
    )
    const files = last().form?.files.map(({ field, name, type }) => ({ field, name, type }))
    expect(files).toEqual([
      { field: "image[]", name: "reference_0.png", type: "image/png" },
      { field: "image[]", name: "reference_1.jpg", type: "image/jpeg" },
      { field: "image[]", name: "reference_2.webp", type: "image/webp" },
    ])
    // FormData serialisation turns every LF into CRLF (WHATWG multipart encoding), as browsers do.
    expect(last().form?.fields).toMatchObject({ background: "transparent", prompt: "a lighthouse\r\n\r\nAvoid: rain" })
  })

  test("exactly 16 references are accepted; 17 are refused before any request", async () => {
    const refs = (n: number) => Array.from({ length: n }, () => image("image/png"))
    await openai().generate(request({ referenceImages: refs(16) }), live())
    const names = last()
      .form?.files.filter((f) => f.field === "image[]")
      .map((f) => f.name)
    expect(names).toEqual(Array.from({ length: 16 }, (_, i) => `reference_${i}.png`))
    fake.reset()
    const attempt = openai().generate(request({ referenceImages: refs(17) }), live())
    await expect(attempt).rejects.toBeInstanceOf(TooManyInputImagesError)
    await expect(attempt).rejects.toThrow(
      "[openai] Model 'gpt-image-2' accepts at most 16 reference image(s); 17 were given.",
    )
    expect(fake.requests).toHaveLength(0)
  })

  test("a DALL·E model (default or per call) refuses references", async () => {
    const referenceImages = [image("image/png")]
    const perCall = openai().generate(request({ model: "dall-e-3", referenceImages }), live())
    await expect(perCall).rejects.toThrow(new InputUnsupportedError("openai", "dall-e-3"))
    const byDefault = openai({ model: "dall-e-2" }).generate(request({ referenceImages }), live())
    await expect(byDefault).rejects.toBeInstanceOf(InputUnsupportedError)
    expect(fake.requests).toHaveLength(0)
  })

  test("a mask goes up as mask.<ext>; without one there is no mask part", async () => {
    const referenceImages = [image("image/png")]
    await openai().generate(request({ referenceImages, mask: image("image/webp", [5, 5]) }), live())
    // The SDK appends parts concurrently, so their order on the wire is not fixed.
    expect(last().form?.files.find((f) => f.field === "mask")).toEqual({
      field: "mask",
      name: "mask.webp",
      type: "image/webp",
      data: new Uint8Array([5, 5]),
    })
    expect(
      last()
        .form?.files.map((f) => f.field)
        .sort(),
    ).toEqual(["image[]", "mask"])
    await openai().generate(request({ referenceImages }), live())
    expect(last().form?.files.map((f) => f.field)).toEqual(["image[]"])
  })

  test("a mask without references and a GIF reference are refused", async () => {
    const masked = openai().generate(request({ mask: image("image/png") }), live())
    await expect(masked).rejects.toThrow(new ProviderError("openai", "mask requires reference_images"))
    const gif = openai().generate(request({ referenceImages: [image("image/gif")] }), live())
    await expect(gif).rejects.toThrow(
      "[openai] Unsupported input image content type 'image/gif'. Supported: image/jpeg, image/png, image/webp",
    )
    expect(fake.requests).toHaveLength(0)
  })
})

describe("openai responses and errors", () => {
  const refs = { referenceImages: [image("image/png")] }

  test("an empty data array and an item without b64_json are errors, worded per endpoint", async () => {
    fake.set({ reply: "empty" })
    await expect(openai().generate(request(), live())).rejects.toThrow("[openai] Empty response from image API")
    await expect(openai().generate(request(refs), live())).rejects.toThrow(
      "[openai] Empty response from image edit API",
    )
    fake.set({ reply: "no-b64" })
    await expect(openai().generate(request(), live())).rejects.toThrow("[openai] No image data in response")
    await expect(openai().generate(request(refs), live())).rejects.toThrow("[openai] No image data in edit response")
  })

  test("malformed JSON is a generic generation failure", async () => {
    fake.set({ reply: "malformed" })
    const attempt = openai().generate(request(), live())
    await expect(attempt).rejects.toThrow("[openai] Image generation failed: ")
    await expect(attempt).rejects.not.toBeInstanceOf(ProviderConnectionError)
  })

  test.each([
    ["the structured code", OPENAI_ERRORS.contentPolicy],
    ["the message", OPENAI_ERRORS.contentPolicyInMessage],
  ])("a 400 content-policy rejection is recognised by %s", async (_how, error) => {
    fake.set({ error })
    for (const fields of [{}, refs]) {
      const attempt = openai().generate(request(fields), live())
      await expect(attempt).rejects.toBeInstanceOf(ContentPolicyError)
      await expect(attempt).rejects.toThrow(`[openai] Content policy rejection: 400 ${error.message}`)
    }
  })

  test("a 500 is an API error with its status, tried once", async () => {
    fake.set({ error: OPENAI_ERRORS.server })
    const attempt = openai().generate(request(), live())
    await expect(attempt).rejects.toThrow(`[openai] API error (HTTP 500): 500 ${OPENAI_ERRORS.server.message}`)
    await expect(attempt).rejects.not.toBeInstanceOf(ContentPolicyError)
    expect(fake.requests).toHaveLength(1)
  })

  test("a refused connection and a timeout are connection errors", async () => {
    const refused = openai({ baseUrl: await closedPortUrl() }).generate(request(), live())
    await expect(refused).rejects.toBeInstanceOf(ProviderConnectionError)
    await expect(refused).rejects.toThrow("[openai] Connection error: ")
    fake.set({ delayMs: 2000 })
    const slow = openai({ timeoutMs: 100 }).generate(request(), live())
    await expect(slow).rejects.toBeInstanceOf(ProviderConnectionError)
  })

  test("aborting the signal mid-request rejects promptly with the abort reason", async () => {
    fake.set({ delayMs: 10_000 })
    const controller = new AbortController()
    const started = performance.now()
    const attempt = openai().generate(request(), { signal: controller.signal })
    while (fake.requests.length === 0) await Bun.sleep(5)
    const reason = new DOMException("job cancelled", "AbortError")
    controller.abort(reason)
    await expect(attempt).rejects.toBe(reason)
    expect(performance.now() - started).toBeLessThan(2000)
    expect(last().path).toBe("/v1/images/generations")
    for (let i = 0; i < 100 && !last().disconnected; i++) await Bun.sleep(10)
    expect(last().disconnected).toBe(true)
  })

  test("an already aborted signal rejects with its reason and sends nothing", async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(openai().generate(request(), { signal: controller.signal })).rejects.toBe(controller.signal.reason)
    expect(fake.requests).toHaveLength(0)
  })

  test("the API key never appears in an error message, even when the upstream echoes it", async () => {
    const apiKey = "sk-proj-SECRET-0123456789"
    await using keyed = fakeOpenAI({ apiKey })
    const echo = { ...OPENAI_ERRORS.unauthorized, message: `Incorrect API key provided: ${apiKey}.` }
    const cases: [Partial<OpenAIOptions>, () => void][] = [
      [{ apiKey, baseUrl: keyed.url }, () => keyed.set({ error: echo })],
      [{ apiKey: "sk-wrong-key-0000", baseUrl: keyed.url }, () => keyed.set({ error: null })],
      [{ apiKey, baseUrl: await closedPortUrl() }, () => {}],
    ]
    for (const [options, arrange] of cases) {
      arrange()
      const error = await openai(options)
        .generate(request(), live())
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ProviderError)
      const { message, cause } = error as ProviderError
      expect(message).not.toContain(options.apiKey as string)
      expect(String((cause as Error | undefined)?.message)).not.toContain(options.apiKey as string)
    }
    expect(keyed.requests.map((r) => r.authorized)).toEqual([true, false])
    expect(JSON.stringify(keyed.requests)).not.toContain("sk-")
  })
})

describe("openai discovery", () => {
  const row = (id: string, name: string, extra: Record<string, unknown>) => ({
    model_id: id,
    display_name: name,
    can_generate: true,
    can_edit: true,
    supports_mask: true,
    supported_aspect_ratios: ["1:1", "16:9", "9:16", "3:2", "2:3"],
    supported_qualities: ["standard", "hd"],
    supported_formats: ["png", "jpeg", "webp"],
    supports_negative_prompt: false,
    supports_background: true,
    supports_image_input: true,
    max_input_images: 16,
    max_resolution: 1536,
    default_steps: null,
    default_cfg: null,
    prompt_style: null,
    style_profile: OPENAI_PROFILES[id],
    ...extra,
  })
  const dalle = { can_edit: false, supports_mask: false, supported_formats: ["png"], supports_image_input: false }

  test("keeps the known image models in the fixed order with the reference table", async () => {
    const caps = await openai().discover()
    expect(last()).toMatchObject({ method: "GET", path: "/v1/models", authorized: true })
    expect(caps).toMatchObject({ provider_name: "openai", degraded: false, supports_background: true })
    expect(caps.supports_negative_prompt).toBe(false)
    expect(caps.models).toEqual([
      row("gpt-image-1", "GPT Image 1", {}),
      row("gpt-image-1-mini", "GPT Image 1 Mini", {}),
      row("gpt-image-1.5", "GPT Image 1.5", {}),
      row("gpt-image-2", "GPT Image 2", { supports_background: false }),
      row("chatgpt-image-latest", "ChatGPT Image (latest)", { supports_background: false }),
      row("dall-e-3", "DALL-E 3", { ...dalle, supports_background: false, max_input_images: 0, max_resolution: 1792 }),
      row("dall-e-2", "DALL-E 2", {
        ...dalle,
        can_edit: true,
        supports_background: false,
        max_input_images: 0,
        max_resolution: 1024,
        supported_aspect_ratios: ["1:1"],
        supported_qualities: ["standard"],
      }),
    ])
    expect(caps.models.every((m) => m.style_profile && !("watermark" in m))).toBe(true)
    expect(Object.keys(caps.models[0] ?? {})).toEqual(Object.keys(row("x", "x", {})))
  })

  test("lists only the models the account has, in the fixed order", async () => {
    fake.set({ models: ["whisper-1", "dall-e-2", "gpt-image-1.5"] })
    const caps = await openai().discover()
    expect(caps.models.map((m) => m.model_id)).toEqual(["gpt-image-1.5", "dall-e-2"])
    fake.set({ models: ["gpt-4o"] })
    expect(await openai().discover()).toMatchObject({ models: [], degraded: false })
  })

  test("any failure degrades instead of throwing", async () => {
    fake.set({ error: OPENAI_ERRORS.server })
    expect(await openai().discover()).toMatchObject({ models: [], degraded: true, provider_name: "openai" })
    const closed = await openai({ baseUrl: await closedPortUrl() }).discover()
    expect(closed).toMatchObject({ models: [], degraded: true })
    fake.set({ error: null })
    expect(await openai({ apiKey: "sk-wrong" }).discover()).toMatchObject({ degraded: true })
  })
})

describe("openai ping", () => {
  test("resolves when the key works and says why when it does not", async () => {
    await openai().ping?.(AbortSignal.timeout(5000))
    expect(last()).toMatchObject({ path: "/v1/models", authorized: true })
    const wrong = openai({ apiKey: "sk-wrong" }).ping?.(AbortSignal.timeout(5000))
    await expect(wrong).rejects.toThrow("[openai] API error (HTTP 401): 401 Incorrect API key provided.")
    const closed = openai({ baseUrl: await closedPortUrl() }).ping?.(AbortSignal.timeout(5000))
    await expect(closed).rejects.toBeInstanceOf(ProviderConnectionError)
  })
})

describe("openai SDK loading", () => {
  test("the openai package loads on first discover, not when the module is imported or a provider built", async () => {
    const script = `
      const loaded = () => Object.keys(require.cache).some((k) => k.includes("/node_modules/openai/"))
      const { createOpenAIProvider } = await import("@/providers/openai/provider")
      const provider = createOpenAIProvider({ apiKey: "sk-test", baseUrl: ${JSON.stringify(fake.url)} })
      const before = loaded()
      const caps = await provider.discover()
      console.log(JSON.stringify({ before, after: loaded(), models: caps.models.length }))
    `
    const proc = Bun.spawn([process.execPath, "-e", script], { cwd: `${import.meta.dir}/../..`, stdout: "pipe" })
    const out = await new Response(proc.stdout).text()
    expect(await proc.exited).toBe(0)
    expect(JSON.parse(out)).toEqual({ before: false, after: true, models: 7 })
  })
})

describe.skipIf(!process.env.OPENAI_API_KEY_LIVE)("openai live API", () => {
  const provider = () => createOpenAIProvider({ apiKey: process.env.OPENAI_API_KEY_LIVE ?? "" })

  test("discovers image models and generates one small draft", async () => {
    const caps = await provider().discover()
    expect(caps.degraded).toBe(false)
    expect(caps.models.length).toBeGreaterThan(0)
    const result = await provider().generate(request({ model: "gpt-image-1-mini", quality: "low" }), live())
    expect((await new Bun.Image(result.data).metadata()).width).toBe(1024)
  }, 180_000)
})
