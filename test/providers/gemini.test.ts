import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { ProviderAuthError, ProviderConnectionError, ProviderError, TooManyInputImagesError } from "@/providers/errors"
import { createGeminiProvider } from "@/providers/gemini/provider"
import { drawnSize, FAKE_IMAGE_MODELS, fakeModel, startFakeGemini } from "../fixture/fake-gemini"
import type { ImageSize } from "../fixture/fake-gemini/models"
import { testProvider } from "./contract"
import { testUpstreamContract } from "./contract-upstream"
import { closedPort, failure, geminiOn, KEY, refs, request, signal, sizeOf } from "./gemini-helpers"

const fake = startFakeGemini({ keys: { "g-refused": "invalid" } })
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())
const gemini = geminiOn(fake)
const sent = () => fake.requests.at(-1)?.body

/** A stand-in for fetch that fails the way a transport would. */
const failingFetch = (error: Error): typeof fetch =>
  Object.assign(() => Promise.reject(error), { preconnect: () => {} })

testProvider("gemini", {
  provider: () => gemini(),
  additionalTests: () => {
    test("speaks v1beta (pinned over the SDK's v1 default) with the key in x-goog-api-key, never in the URL", async () => {
      await gemini().discover()
      await gemini().generate(request(), { signal })
      const [call] = fake.requests
      expect(call).toMatchObject({ path: "/v1beta/models/gemini-nano-banana-2.1:generateContent", keyHeader: true })
      expect(call?.keyQuery).toBe(false)
      expect(fake.calls.map((c) => [c.method, c.apiVersion])).toEqual([
        ["GET", "v1beta"],
        ["POST", "v1beta"],
      ])
    })
  },
})

testUpstreamContract("gemini", {
  provider: (opts) => gemini(opts),
  unreachable: async () => gemini({ baseUrl: `http://127.0.0.1:${await closedPort()}` }),
  hangNext: () => fake.hangNext(),
  nonImageNext: () => fake.nonImageNext(),
  echoSecretNext: () => fake.echoSecretNext(),
  secret: KEY,
})

describe("gemini requests per model and quality", () => {
  type Sent = { responseModalities: string[]; imageConfig: { imageSize: ImageSize }; thinkingConfig?: object }
  // [model, quality, generationConfig the fake must receive, but for the aspect ratio]
  const cases: [string, string, Sent][] = [
    ["gemini-nano-banana-2.1", "standard", { responseModalities: ["IMAGE"], imageConfig: { imageSize: "1K" } }],
    [
      "gemini-nano-banana-2.1",
      "hd",
      {
        responseModalities: ["TEXT", "IMAGE"],
        imageConfig: { imageSize: "2K" },
        thinkingConfig: { thinkingLevel: "HIGH" },
      },
    ],
    ["gemini-3-pro-image", "standard", { responseModalities: ["IMAGE"], imageConfig: { imageSize: "1K" } }],
    // Pro always thinks and refuses a thinkingLevel: hd is only the bigger tier.
    ["gemini-3-pro-image", "hd", { responseModalities: ["IMAGE"], imageConfig: { imageSize: "2K" } }],
    ["gemini-3.1-flash-lite-image", "standard", { responseModalities: ["IMAGE"], imageConfig: { imageSize: "1K" } }],
    [
      "gemini-3.1-flash-image",
      "hd",
      {
        responseModalities: ["TEXT", "IMAGE"],
        imageConfig: { imageSize: "2K" },
        thinkingConfig: { thinkingLevel: "HIGH" },
      },
    ],
  ]

  test.each(cases)(
    "%s at %s sends the model's tier and thinking, and gets the pixels it draws",
    async (model, quality, config) => {
      fake.set({ served: FAKE_IMAGE_MODELS.map((m) => m.id) })
      const result = await gemini({ model }).generate(request({ quality, aspectRatio: "16:9" }), { signal })
      expect(fake.requests[0]?.model).toBe(model)
      const { imageConfig, ...rest } = config
      // Without a seed in the request, one the provider drew goes out and is reported.
      const seed = expect.any(Number)
      expect(sent()?.generationConfig).toEqual({ ...rest, imageConfig: { aspectRatio: "16:9", ...imageConfig }, seed })
      const spec = fakeModel(model)
      if (!spec) throw new Error(model)
      expect(await sizeOf(result.data)).toEqual(drawnSize(spec, "16:9", config.imageConfig.imageSize))
      expect(result.metadata).toEqual({ model, quality, aspect_ratio: "16:9", seed: sent()?.generationConfig?.seed })
    },
  )

  test("Flash Lite takes only 1K: hd is refused before any request, naming what it accepts", async () => {
    const error = await failure(
      gemini().generate(request({ model: "gemini-3.1-flash-lite-image", quality: "hd" }), { signal }),
    )
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as ProviderError).kind).toBe("invalid_input")
    expect((error as Error).message).toBe(
      "[gemini] Unsupported quality 'hd' for model 'gemini-3.1-flash-lite-image'. Supported: standard",
    )
    expect(fake.requests).toHaveLength(0)
  })

  test("nano-banana-2.1 takes all 14 ratios; Pro and Lite refuse the banners before any request", async () => {
    const all = ["1:1", "16:9", "9:16", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "4:1", "1:4", "8:1", "1:8", "21:9"]
    for (const aspectRatio of all) {
      const result = await gemini().generate(request({ aspectRatio }), { signal })
      expect(sent()?.generationConfig?.imageConfig?.aspectRatio).toBe(aspectRatio)
      expect(await sizeOf(result.data)).toEqual(drawnSize(FAKE_IMAGE_MODELS[0] ?? expect.unreachable(), aspectRatio))
    }
    fake.reset()
    for (const model of ["gemini-3-pro-image", "gemini-3.1-flash-lite-image"]) {
      const error = await failure(gemini({ model }).generate(request({ aspectRatio: "8:1" }), { signal }))
      expect((error as Error).message).toBe(
        `[gemini] Unsupported aspect_ratio: '8:1' for model '${model}'. Supported: ['16:9', '1:1', '21:9', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16']`,
      )
    }
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

  test.each(["gemini-nano-banana-2.1", "gemini-3-pro-image", "gemini-3.1-flash-lite-image"])(
    "%s takes 14 references and refuses 15 before any request",
    async (model) => {
      await gemini({ model }).generate(request({ referenceImages: refs(14) }), { signal })
      expect(sent()?.contents?.[0]?.parts).toHaveLength(15)
      const error = await failure(gemini({ model }).generate(request({ referenceImages: refs(15) }), { signal }))
      expect(error).toBeInstanceOf(TooManyInputImagesError)
      expect(fake.requests).toHaveLength(1)
    },
  )

  test("a mask and a transparent background are refused before any request", async () => {
    const [mask] = refs(1)
    const masked = await failure(gemini().generate(request({ mask, aspectRatio: "7:5" }), { signal }))
    expect((masked as Error).message).toBe("[gemini] mask is not supported by this provider")
    const clear = await failure(gemini().generate(request({ background: "transparent" }), { signal }))
    expect((clear as Error).message).toBe(
      "[gemini] Model 'gemini-nano-banana-2.1' cannot make transparent backgrounds; Gemini images are always opaque.",
    )
    expect(fake.requests).toHaveLength(0)
  })

  test("a retired model is refused before any request, naming its successor", async () => {
    const error = await failure(gemini({ model: "gemini-2.5-flash-image" }).generate(request(), { signal }))
    expect((error as Error).message).toBe(
      "[gemini] Model 'gemini-2.5-flash-image' was retired by its vendor on 2026-10-02 and can no longer be used. Use 'gemini-nano-banana-2.1' instead.",
    )
    expect((error as ProviderError).kind).toBe("invalid_input")
    expect(fake.requests).toHaveLength(0)
  })

  test("an image model the catalog does not know gets no tier, no thinking, no seed, standard only and 3 references", async () => {
    const base = fakeModel("gemini-3-pro-image") ?? expect.unreachable()
    fake.set({
      newModels: [
        { ...base, id: "gemini-4-flash-image", entry: { ...base.entry, name: "models/gemini-4-flash-image" } },
      ],
    })
    const provider = gemini({ model: "gemini-4-flash-image" })
    await provider.generate(request({ aspectRatio: "4:5", referenceImages: refs(3) }), { signal })
    expect(sent()?.generationConfig).toEqual({ responseModalities: ["IMAGE"], imageConfig: { aspectRatio: "4:5" } })
    const hd = await failure(provider.generate(request({ quality: "hd" }), { signal }))
    expect((hd as Error).message).toContain("Supported: standard")
    const many = await failure(provider.generate(request({ referenceImages: refs(4) }), { signal }))
    expect((many as Error).message).toContain("'gemini-4-flash-image' accepts at most 3")
    const seeded = await failure(provider.generate(request({ seed: 1 }), { signal }))
    expect((seeded as Error).message).toBe(
      "[gemini] Model 'gemini-4-flash-image' is not known to take a seed; leave seed unset.",
    )
  })

  test("the image's MIME type is kept; a part without one is image/png", async () => {
    fake.set({ mimeType: "image/jpeg" })
    expect((await gemini().generate(request(), { signal })).contentType).toBe("image/jpeg")
    fake.set({ mimeType: null })
    expect((await gemini().generate(request(), { signal })).contentType).toBe("image/png")
  })
})

describe("gemini transport", () => {
  test("the timeout bounds the request and is a connection error", async () => {
    fake.set({ delayMs: 5_000 })
    const started = performance.now()
    const error = await failure(gemini({ timeoutMs: 150 }).generate(request(), { signal }))
    expect(error).toBeInstanceOf(ProviderConnectionError)
    expect((error as Error).message).toBe("[gemini] Request timed out after 150 ms")
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  test.each(["APIConnectionError", "ReadTimeout"])(
    "an exception class named %s is a connection error",
    async (name) => {
      const Thrown = { [name]: class extends Error {} }[name] ?? Error
      const error = await failure(gemini({}, failingFetch(new Thrown("boom"))).generate(request(), { signal }))
      expect(error).toBeInstanceOf(ProviderConnectionError)
      expect((error as Error).message).toBe("[gemini] Connection error: boom")
    },
  )

  test("an abort before the request rejects with its reason and sends nothing", async () => {
    const reason = new Error("job cancelled")
    expect(await failure(gemini().generate(request(), { signal: AbortSignal.abort(reason) }))).toBe(reason)
    expect(fake.requests).toHaveLength(0)
  })

  test("the SDK's /web entry is imported on the first discovery or generation, not at load", async () => {
    const script = `
      const loaded = () => Object.keys(require.cache).filter((k) => k.includes("@google/genai"))
      const { createGeminiProvider } = await import(${JSON.stringify(`${import.meta.dir}/../../src/providers/gemini/provider.ts`)})
      const provider = createGeminiProvider({ apiKey: "k", baseUrl: ${JSON.stringify(fake.url)} })
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
})

describe("gemini ping", () => {
  test("lists one page of models with the key; a refused key and a closed port say so", async () => {
    await gemini().ping?.(signal)
    expect(fake.calls.map((c) => [c.path, c.query])).toEqual([["/v1beta/models", { pageSize: "1" }]])
    const refused = await failure(gemini({ apiKey: "g-refused" }).ping?.(signal))
    expect(refused).toBeInstanceOf(ProviderAuthError)
    const closed = await failure(gemini({ baseUrl: `http://127.0.0.1:${await closedPort()}` }).ping?.(signal))
    expect(closed).toBeInstanceOf(ProviderConnectionError)
  })
})

describe.skipIf(!process.env.GOOGLE_API_KEY_LIVE)("gemini live API", () => {
  test("lists models and generates a real image with the default model", async () => {
    const provider = createGeminiProvider({ apiKey: process.env.GOOGLE_API_KEY_LIVE ?? "" })
    const caps = await provider.discover()
    expect(caps.degraded).toBe(false)
    const result = await provider.generate(request({ prompt: "a small red circle on white" }), { signal })
    const meta = await new Bun.Image(result.data).metadata()
    expect(meta.width * meta.height).toBeGreaterThan(0)
  }, 120_000)
})
