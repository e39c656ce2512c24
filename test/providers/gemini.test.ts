import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { ContentPolicyError, ProviderConnectionError, ProviderError, TooManyInputImagesError } from "@/providers/errors"
import { createGeminiProvider } from "@/providers/gemini/provider"
import { solidPng } from "@/providers/solid-png"
import type { GenerateRequest, InputImage } from "@/providers/types"
import { fakeImageSize, GOOGLE_ERRORS, startFakeGemini } from "../fixture/fake-gemini"
import { testProvider } from "./contract"

const KEY = "g-test-SECRET-1234567890"
const RATIOS = ["1:1", "16:9", "9:16", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "4:1", "1:4", "8:1", "1:8", "21:9"]
const THINKING = ["gemini-3.1-flash-image", "gemini-3-pro-image", "gemini-3.1-flash-lite-image"]
const fake = startFakeGemini()
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())

const signal = new AbortController().signal
const gemini = (
  options: { model?: string; timeoutMs?: number; baseUrl?: string } = {},
  fetch?: typeof globalThis.fetch,
) => createGeminiProvider({ apiKey: KEY, baseUrl: fake.url, ...options }, { fetch })
const request = (fields: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompt: "a lighthouse at dusk",
  aspectRatio: "1:1",
  quality: "standard",
  background: "opaque",
  ...fields,
})
const refs = (n: number): InputImage[] =>
  Array.from({ length: n }, (_, i) => ({ data: solidPng(2, 2, [i, 0, 0]), contentType: "image/png", sourceId: null }))
const sent = () => fake.requests.at(-1)?.body
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable() as never,
    (e: unknown) => e,
  )

/** A stand-in for fetch that fails the way a transport would. */
const failingFetch = (error: Error): typeof fetch =>
  Object.assign(() => Promise.reject(error), { preconnect: () => {} })

function expectError(error: unknown, type: new (...args: never[]) => ProviderError, message: string) {
  expect(error).toBeInstanceOf(type)
  expect((error as Error).message).toBe(message)
}

async function closedPort(): Promise<number> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
  const port = server.port ?? 1
  await server.stop(true)
  return port
}

testProvider("gemini", {
  provider: () => createGeminiProvider({ apiKey: "g-test", baseUrl: fake.url }),
  additionalTests: () => {
    test("speaks generateContent on /v1 with the key in x-goog-api-key, never in the URL", async () => {
      await gemini().generate(request(), { signal })
      const [call] = fake.requests
      expect(call).toMatchObject({ path: "/v1/models/gemini-3.1-flash-image:generateContent", keyHeader: true })
      expect(call?.keyQuery).toBe(false)
    })

    test("discovery is the static 1.12 list, needs no network and never degrades", async () => {
      const provider = gemini({ baseUrl: `http://127.0.0.1:${await closedPort()}` })
      const caps = await provider.discover()
      expect(caps.degraded).toBe(false)
      expect(caps.models.map((m) => [m.model_id, m.display_name, m.max_input_images])).toEqual([
        ["gemini-3.1-flash-image", "Gemini 3.1 Flash Image", 14],
        ["gemini-3-pro-image", "Gemini 3 Pro Image", 14],
        ["gemini-3.1-flash-lite-image", "Gemini 3.1 Flash Lite Image", 14],
        ["gemini-2.5-flash-image", "Gemini 2.5 Flash Image", 3],
      ])
      for (const model of caps.models) {
        expect(model).toMatchObject({
          can_generate: true,
          can_edit: false,
          supports_mask: false,
          supported_aspect_ratios: RATIOS,
          supported_qualities: ["standard", "hd"],
          supported_formats: ["image/png"],
          supports_negative_prompt: false,
          supports_background: false,
          supports_image_input: true,
          prompt_style: "natural_language",
          watermark: "synthid",
        })
        expect(Object.keys(model).slice(-2)).toEqual(["style_profile", "watermark"])
        expect(model.style_profile?.label).toContain("Gemini")
      }
      expect(caps.models[3]?.style_profile?.lifecycle).toBe("legacy")
      expect(fake.requests).toHaveLength(0)
    })

    test("standard quality: 1K, IMAGE only, no thinking; metadata names model, quality and ratio", async () => {
      const result = await gemini().generate(request({ aspectRatio: "21:9" }), { signal })
      expect(sent()?.generationConfig).toEqual({
        responseModalities: ["IMAGE"],
        imageConfig: { aspectRatio: "21:9", imageSize: "1K" },
      })
      expect(result.metadata).toEqual({ model: "gemini-3.1-flash-image", quality: "standard", aspect_ratio: "21:9" })
      expect(result.contentType).toBe("image/png")
    })

    test.each(THINKING)("hd on thinking model %s: TEXT+IMAGE, thinking HIGH, 2K", async (model) => {
      fake.set({ leadingText: true })
      const result = await gemini({ model }).generate(request({ quality: "hd", aspectRatio: "16:9" }), { signal })
      expect(fake.requests[0]?.model).toBe(model)
      expect(sent()?.generationConfig).toEqual({
        responseModalities: ["TEXT", "IMAGE"],
        imageConfig: { aspectRatio: "16:9", imageSize: "2K" },
        thinkingConfig: { thinkingLevel: "HIGH" },
      })
      const { width, height } = await new Bun.Image(result.data).metadata()
      expect([width, height]).toEqual(fakeImageSize("16:9", "2K"))
    })

    test("hd on gemini-2.5-flash-image: 2K but no thinking and IMAGE only", async () => {
      await gemini().generate(request({ quality: "hd", model: "gemini-2.5-flash-image" }), { signal })
      expect(fake.requests[0]?.model).toBe("gemini-2.5-flash-image")
      expect(sent()?.generationConfig).toEqual({
        responseModalities: ["IMAGE"],
        imageConfig: { aspectRatio: "1:1", imageSize: "2K" },
      })
    })

    test("every one of the 14 ratios is passed through unchanged", async () => {
      const provider = gemini()
      for (const aspectRatio of RATIOS) {
        const result = await provider.generate(request({ aspectRatio }), { signal })
        expect(sent()?.generationConfig?.imageConfig?.aspectRatio).toBe(aspectRatio)
        const { width, height } = await new Bun.Image(result.data).metadata()
        expect([width, height]).toEqual(fakeImageSize(aspectRatio))
      }
    })

    test("an unsupported ratio is refused with the sorted list, before any request", async () => {
      const error = await failure(gemini().generate(request({ aspectRatio: "7:5" }), { signal }))
      expect(error).toEqual(
        new ProviderError(
          "gemini",
          "Unsupported aspect_ratio: '7:5'. Supported: ['16:9', '1:1', '1:4', '1:8', '21:9', '2:3', '3:2', '3:4', '4:1', '4:3', '4:5', '5:4', '8:1', '9:16']",
        ),
      )
      expect(fake.requests).toHaveLength(0)
    })

    test("the prompt carries the Avoid clause; references follow it as inline parts", async () => {
      const images = refs(2)
      images[1] = { data: new Uint8Array([0xff, 0xd8, 0xff]), contentType: "image/jpeg", sourceId: "abcdef012345" }
      await gemini().generate(request({ negativePrompt: "fog, people", referenceImages: images }), { signal })
      expect(sent()?.contents).toEqual([
        {
          role: "user",
          parts: [
            { text: "a lighthouse at dusk\n\nAvoid: fog, people" },
            { inlineData: { mimeType: "image/png", data: Buffer.from(images[0]?.data ?? []).toString("base64") } },
            { inlineData: { mimeType: "image/jpeg", data: "/9j/" } },
          ],
        },
      ])
    })

    test.each(THINKING)("%s accepts 14 references and refuses 15", async (model) => {
      await gemini({ model }).generate(request({ referenceImages: refs(14) }), { signal })
      expect(sent()?.contents?.[0]?.parts).toHaveLength(15)
      const error = await failure(gemini({ model }).generate(request({ referenceImages: refs(15) }), { signal }))
      expect(error).toBeInstanceOf(TooManyInputImagesError)
      expect(fake.requests).toHaveLength(1)
    })

    test("gemini-2.5-flash-image accepts 3 references and refuses 4", async () => {
      const provider = gemini({ model: "gemini-2.5-flash-image" })
      await provider.generate(request({ referenceImages: refs(3) }), { signal })
      const error = await failure(provider.generate(request({ referenceImages: refs(4) }), { signal }))
      expectError(
        error,
        TooManyInputImagesError,
        "[gemini] Model 'gemini-2.5-flash-image' accepts at most 3 reference image(s); 4 were given.",
      )
      expect((error as ProviderError).code).toBe("too_many_input_images")
      expect(fake.requests).toHaveLength(1)
    })

    test("the cap follows the model of the call, not the provider default; unknown models get 3", async () => {
      await gemini({ model: "gemini-2.5-flash-image" }).generate(
        request({ model: "gemini-3-pro-image", referenceImages: refs(14) }),
        { signal },
      )
      expect(fake.requests[0]?.model).toBe("gemini-3-pro-image")
      const down = await failure(
        gemini().generate(request({ model: "gemini-2.5-flash-image", referenceImages: refs(4) }), { signal }),
      )
      expect((down as Error).message).toContain("at most 3 reference image(s); 4 were given")
      const unknown = await failure(
        gemini().generate(request({ model: "gemini-9-image", referenceImages: refs(4) }), { signal }),
      )
      expect((unknown as Error).message).toContain("'gemini-9-image' accepts at most 3")
      expect(new TooManyInputImagesError("gemini", null, 3, 4).message).toBe(
        "[gemini] This model accepts at most 3 reference image(s); 4 were given.",
      )
    })

    test("a mask is refused before anything else", async () => {
      const [mask] = refs(1)
      const attempt = gemini().generate(request({ mask, aspectRatio: "7:5", referenceImages: refs(20) }), { signal })
      expectError(await failure(attempt), ProviderError, "[gemini] mask is not supported by this provider")
      expect(fake.requests).toHaveLength(0)
    })

    test("the image's MIME type is kept; a part without one is image/png", async () => {
      fake.set({ mimeType: "image/webp" })
      expect((await gemini().generate(request(), { signal })).contentType).toBe("image/webp")
      fake.set({ mimeType: null })
      expect((await gemini().generate(request(), { signal })).contentType).toBe("image/png")
    })

    test("a response without an image part is an error", async () => {
      fake.set({ textOnly: true })
      const error = await failure(gemini().generate(request(), { signal }))
      expectError(error, ProviderError, "[gemini] No image in response")
      expect(error).not.toBeInstanceOf(ContentPolicyError)
    })

    test.each([
      ["a blocked prompt (promptFeedback.blockReason)", { block: "prompt" as const }],
      ["a withheld image (finishReason IMAGE_SAFETY)", { block: "image" as const }],
      [
        "an API error about safety",
        {
          fail: {
            code: 400,
            status: "INVALID_ARGUMENT",
            message: "Request blocked: it may violate our safety policy.",
          },
        },
      ],
      ["an API error about harm", { fail: { code: 400, status: "INVALID_ARGUMENT", message: "Harmful content." } }],
    ])("%s is a content-policy error", async (_label, behaviour) => {
      fake.set(behaviour)
      const error = await failure(gemini().generate(request(), { signal }))
      expect(error).toBeInstanceOf(ContentPolicyError)
      expect((error as Error).message).toStartWith("[gemini] ")
    })

    test.each([
      [500, GOOGLE_ERRORS.internal, "[gemini] API error (HTTP 500 INTERNAL): Internal error encountered."],
      [
        400,
        GOOGLE_ERRORS.invalidArgument,
        "[gemini] API error (HTTP 400 INVALID_ARGUMENT): Request contains an invalid argument.",
      ],
      [
        429,
        GOOGLE_ERRORS.exhausted,
        `[gemini] API error (HTTP 429 RESOURCE_EXHAUSTED): ${GOOGLE_ERRORS.exhausted.message}`,
      ],
    ])("HTTP %d is a provider error, tried once", async (_status, fail, message) => {
      fake.set({ fail })
      const error = await failure(gemini().generate(request(), { signal }))
      expect(error).toBeInstanceOf(ProviderError)
      expect(error).not.toBeInstanceOf(ContentPolicyError)
      expect(error).not.toBeInstanceOf(ProviderConnectionError)
      expect((error as Error).message).toBe(message)
      expect(fake.requests).toHaveLength(1)
    })

    test("a malformed JSON body is a provider error", async () => {
      fake.set({ malformed: true })
      const error = await failure(gemini().generate(request(), { signal }))
      expect(error).toBeInstanceOf(ProviderError)
      expect(error).not.toBeInstanceOf(ProviderConnectionError)
    })

    test("a refused connection is a connection error", async () => {
      const provider = gemini({ baseUrl: `http://127.0.0.1:${await closedPort()}` })
      const error = await failure(provider.generate(request(), { signal }))
      expect(error).toBeInstanceOf(ProviderConnectionError)
      expect((error as ProviderError).code).toBe("provider_unreachable")
    })

    test("the timeout bounds the request and is a connection error", async () => {
      fake.set({ delayMs: 5_000 })
      const started = performance.now()
      const error = await failure(gemini({ timeoutMs: 150 }).generate(request(), { signal }))
      expectError(error, ProviderConnectionError, "[gemini] Request timed out after 150 ms")
      expect(performance.now() - started).toBeLessThan(1_000)
    })

    test.each(["APIConnectionError", "ReadTimeout"])(
      "an exception class named %s is a connection error",
      async (name) => {
        const Thrown = { [name]: class extends Error {} }[name] ?? Error
        const error = await failure(gemini({}, failingFetch(new Thrown("boom"))).generate(request(), { signal }))
        expectError(error, ProviderConnectionError, "[gemini] Connection error: boom")
      },
    )

    test("aborting mid-request rejects promptly with the abort reason", async () => {
      fake.set({ delayMs: 5_000 })
      const controller = new AbortController()
      const reason = new Error("job cancelled")
      const started = performance.now()
      setTimeout(() => controller.abort(reason), 50)
      const error = await failure(gemini().generate(request(), { signal: controller.signal }))
      expect(error).toBe(reason)
      expect(performance.now() - started).toBeLessThan(500)
      expect(fake.requests).toHaveLength(1)
      const early = await failure(gemini().generate(request(), { signal: AbortSignal.abort(reason) }))
      expect(early).toBe(reason)
      expect(fake.requests).toHaveLength(1)
    })

    test("the API key never appears in an error", async () => {
      const seen: unknown[] = []
      for (const behaviour of [{ fail: GOOGLE_ERRORS.internal }, { block: "prompt" as const }, { malformed: true }]) {
        fake.set({ ...behaviour })
        seen.push(await failure(gemini().generate(request(), { signal })))
        fake.reset()
      }
      seen.push(
        await failure(gemini({ baseUrl: `http://127.0.0.1:${await closedPort()}` }).generate(request(), { signal })),
      )
      const leaky = failingFetch(new Error(`API key ${KEY} not valid (policy)`))
      seen.push(await failure(gemini({}, leaky).generate(request(), { signal })))
      for (const error of seen) {
        expect(error).toBeInstanceOf(ProviderError)
        expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(KEY)
      }
      expect((seen.at(-1) as Error).message).toContain("API key *** not valid")
    })

    test("the SDK's /web entry is imported on the first generate, not at load or discovery", async () => {
      const script = `
        const loaded = () => Object.keys(require.cache).filter((k) => k.includes("@google/genai"))
        const { createGeminiProvider } = await import(${JSON.stringify(`${import.meta.dir}/../../src/providers/gemini/provider.ts`)})
        const provider = createGeminiProvider({ apiKey: "k", baseUrl: ${JSON.stringify(fake.url)} })
        await provider.discover()
        const before = loaded()
        const request = { prompt: "x", aspectRatio: "1:1", quality: "standard", background: "opaque" }
        await provider.generate(request, { signal: new AbortController().signal })
        console.log(JSON.stringify({ before, after: loaded() }))`
      const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" })
      const { before, after } = JSON.parse(await new Response(child.stdout).text())
      expect(await child.exited).toBe(0)
      expect(before).toEqual([])
      expect(after).toEqual([expect.stringContaining("@google/genai/dist/web/")])
    })
  },
})

describe("gemini ping", () => {
  test("asks the API for the default model; an API error is reported with its reason", async () => {
    await gemini().ping?.(signal)
    fake.set({ fail: GOOGLE_ERRORS.invalidArgument })
    const error = await failure(gemini().ping?.(signal) ?? Promise.resolve())
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as Error).message).not.toContain(KEY)
    const closed = await failure(gemini({ baseUrl: "http://127.0.0.1:9" }).ping?.(signal) ?? Promise.resolve())
    expect(closed).toBeInstanceOf(ProviderConnectionError)
  })
})

describe.skipIf(!process.env.GOOGLE_API_KEY_LIVE)("gemini live API", () => {
  test("generates a real image with the default model", async () => {
    const provider = createGeminiProvider({ apiKey: process.env.GOOGLE_API_KEY_LIVE ?? "" })
    const result = await provider.generate(request({ prompt: "a small red circle on white" }), { signal })
    const meta = await new Bun.Image(result.data).metadata()
    expect(meta.width * meta.height).toBeGreaterThan(0)
  }, 120_000)
})
