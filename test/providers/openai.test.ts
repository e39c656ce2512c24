import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { ProviderError } from "@/providers/errors"
import { DEFAULT_MODEL, sizeOf, specOf } from "@/providers/openai/catalog"
import { openaiDefinition } from "@/providers/openai/index"
import { createOpenAIProvider, type OpenAIOptions } from "@/providers/openai/provider"
import { FREE_SIZE_RATIOS, freeSize, sizeRuleViolation } from "@/providers/openai/sizes"
import { fakeOpenAI, OPENAI_ERRORS } from "../fixture/fake-openai"
import { testProvider } from "./contract"
import { testUpstreamContract } from "./contract-upstream"
import { closedPortUrl, imageRequests, KEY, lastRequest, live, rejection, request } from "./openai-helpers"

const fake = fakeOpenAI({ apiKey: KEY })
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())

const openai = (o: Partial<OpenAIOptions> = {}) => createOpenAIProvider({ apiKey: KEY, baseUrl: fake.url, ...o })
const last = () => lastRequest(fake)

testProvider("openai", { provider: () => openai() })

testUpstreamContract("openai", {
  provider: (opts) => openai({ timeoutMs: opts?.timeoutMs }),
  unreachable: async () => openai({ baseUrl: await closedPortUrl() }),
  hangNext: () => fake.hangNext(),
  nonImageNext: () => fake.replyNext("html"),
  echoSecretNext: (secret) =>
    fake.failNext({ ...OPENAI_ERRORS.server, status: 400, message: `Invalid 'prompt' for key ${secret}.` }),
  secret: KEY,
})

describe("openai generations: what is sent", () => {
  test(`defaults to ${DEFAULT_MODEL} with the exact payload: medium quality, opaque, png, nothing legacy`, async () => {
    const result = await openai().generate(request(), live())
    expect(last()).toMatchObject({ method: "POST", path: "/v1/images/generations", authorized: true, status: 200 })
    expect(last().json).toEqual({
      model: "gpt-image-2.6-sunburst",
      prompt: "a lighthouse",
      n: 1,
      size: "1024x1024",
      quality: "medium",
      background: "opaque",
      output_format: "png",
    })
    expect(result.contentType).toBe("image/png")
    expect(await new Bun.Image(result.data).metadata()).toEqual({ width: 1024, height: 1024, format: "png" })
    expect(result.metadata).toEqual({
      model: "gpt-image-2.6-sunburst",
      size: "1024x1024",
      quality: "standard",
      api_quality: "medium",
    })
  })

  test.each([
    ["gpt-image-2", "16:9", "standard", "1536x864"],
    ["gpt-image-2", "16:9", "hd", "2560x1440"],
    ["gpt-image-2", "3:2", "standard", "1536x1024"],
    ["gpt-image-2.5-flare", "9:16", "standard", "864x1536"],
    ["gpt-image-2.5-sunburst", "21:9", "hd", "2464x1056"],
    ["gpt-image-2.6-flare", "4:3", "standard", "1344x1008"],
    ["gpt-image-2.6-sunburst", "1:1", "hd", "1440x1440"],
    ["gpt-image-2.6-sunburst", "1:3", "standard", "512x1536"],
  ])("%s draws %s (%s) as %s, which the service accepts", async (model, aspectRatio, quality, size) => {
    const result = await openai({ model }).generate(request({ aspectRatio, quality }), live())
    expect(last().json).toMatchObject({ model, size, quality: quality === "hd" ? "high" : "medium" })
    const [width, height] = size.split("x").map(Number)
    expect(await new Bun.Image(result.data).metadata()).toMatchObject({ width, height })
    expect(result.metadata).toMatchObject({ size, quality, api_quality: quality === "hd" ? "high" : "medium" })
  })

  test("every offered ratio has an exact size in both tiers that meets the size rules", () => {
    for (const ratio of FREE_SIZE_RATIOS) {
      const [a = 0, b = 0] = ratio.split(":").map(Number)
      for (const tier of ["standard", "hd"] as const) {
        const size = freeSize(ratio, tier)
        if (!size) throw new Error(`no ${tier} size for ${ratio}`)
        const [w = 0, h = 0] = size.split("x").map(Number)
        expect({ ratio, tier, exact: w * b === h * a, rules: sizeRuleViolation(w, h) }).toEqual({
          ratio,
          tier,
          exact: true,
          rules: null,
        })
        expect(Math.max(w, h)).toBeLessThanOrEqual(tier === "hd" ? 2560 : 1536)
      }
    }
  })

  test("the size rules refuse and accept the documented cases", () => {
    for (const [w, h] of [
      [512, 512],
      [768, 768],
      [1792, 936],
      [3072, 960],
      [4096, 2048],
    ] as const)
      expect(sizeRuleViolation(w, h)).not.toBeNull()
    for (const [w, h] of [
      [1792, 1024],
      [1024, 640],
      [2160, 3840],
      [2880, 2880],
    ] as const)
      expect(sizeRuleViolation(w, h)).toBeNull()
  })

  test("every ratio of every current model goes through the fake in both tiers", async () => {
    const provider = openai()
    for (const ratio of FREE_SIZE_RATIOS) {
      for (const quality of ["standard", "hd"]) {
        await provider.generate(request({ aspectRatio: ratio, quality }), live())
        expect(last().status).toBe(200)
      }
    }
    const spec = specOf(DEFAULT_MODEL)
    expect(spec && sizeOf(spec, "16:9", "standard")).toBe("1536x864")
  })

  test("transparency is sent where the model serves it and refused before any request where it does not", async () => {
    const clear = await openai().generate(request({ background: "transparent" }), live())
    expect(last().json).toMatchObject({ background: "transparent", output_format: "png" })
    expect(clear.metadata.background).toBe("transparent")
    fake.reset()
    const refused = await rejection(
      openai({ model: "gpt-image-2" }).generate(request({ background: "transparent" }), live()),
    )
    expect(refused).toBeInstanceOf(ProviderError)
    expect((refused as ProviderError).kind).toBe("invalid_input")
    expect((refused as Error).message).toBe(
      "[openai] Model 'gpt-image-2' of openai cannot make transparent backgrounds.",
    )
    const jpeg = openai({ outputFormat: "jpeg" }).generate(request({ background: "transparent" }), live())
    await expect(jpeg).rejects.toThrow("Transparent backgrounds need png or webp output, not jpeg.")
    expect(fake.requests).toHaveLength(0)
  })

  test.each(["jpeg", "webp"] as const)("output format %s is requested and labelled", async (outputFormat) => {
    const result = await openai({ outputFormat }).generate(request(), live())
    expect(last().json?.output_format).toBe(outputFormat)
    expect(result.contentType).toBe(`image/${outputFormat}`)
    expect((await new Bun.Image(result.data).metadata()).format).toBe(outputFormat)
  })

  test("a negative prompt becomes an Avoid clause", async () => {
    await openai().generate(request({ negativePrompt: "fog, people" }), live())
    expect(last().json?.prompt).toBe("a lighthouse\n\nAvoid: fog, people")
  })

  test("a retired model, an unknown quality or ratio, and a non-image model are refused before any request", async () => {
    const cases: [Partial<OpenAIOptions>, Parameters<typeof request>[0], string][] = [
      [
        { model: "dall-e-3" },
        {},
        "[openai] Model 'dall-e-3' was retired by its vendor on 2026-05-12 and can no longer be used. Use 'gpt-image-2.5-sunburst' instead.",
      ],
      [
        {},
        { model: "gpt-image-1.5" },
        "[openai] Model 'gpt-image-1.5' was retired by its vendor on 2026-12-01 and can no longer be used. Use 'gpt-image-2.6-sunburst' instead.",
      ],
      [
        {},
        { quality: "low" },
        "[openai] Unsupported quality 'low' for model 'gpt-image-2.6-sunburst'. Supported: standard, hd",
      ],
      [
        {},
        { aspectRatio: "4:1" },
        "[openai] Unsupported aspect_ratio '4:1' for model 'gpt-image-2.6-sunburst'. Supported: 1:1, 16:9",
      ],
      [
        { model: "gpt-image-7" },
        { aspectRatio: "16:9" },
        "[openai] Unsupported aspect_ratio '16:9' for model 'gpt-image-7'. Supported: 1:1, 3:2, 2:3",
      ],
      [
        {},
        { model: "gpt-5.1" },
        "[openai] Model 'gpt-5.1' is not an OpenAI image model this server can drive. See list_providers.",
      ],
    ]
    for (const [options, fields, message] of cases) {
      const error = await rejection(openai(options).generate(request(fields), live()))
      expect((error as Error).message).toStartWith(message)
      expect((error as ProviderError).kind).toBe("invalid_input")
    }
    expect(fake.requests).toHaveLength(0)
  })

  test("an unknown GPT Image model is sent with the sizes every GPT Image model takes", async () => {
    fake.set({ models: ["gpt-image-2"] })
    await rejection(openai({ model: "gpt-image-7" }).generate(request({ aspectRatio: "3:2" }), live()))
    expect(last().json).toMatchObject({ model: "gpt-image-7", size: "1536x1024", quality: "medium" })
  })

  test("construction refuses a missing key and an output format the API does not return", () => {
    expect(() => openai({ apiKey: "" })).toThrow(ProviderError)
    const gif = { outputFormat: "gif" } as unknown as Partial<OpenAIOptions>
    expect(() => openai(gif)).toThrow("[openai] Unsupported output_format 'gif'")
  })
})

describe("openai transport", () => {
  test("every call goes through the fetch the definition is given", async () => {
    const seen: string[] = []
    const spy: typeof fetch = Object.assign(
      (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
        seen.push(String(input instanceof Request ? input.url : input))
        return fetch(input, init)
      },
      { preconnect: fetch.preconnect },
    )
    const provider = openaiDefinition.create({ apiKey: KEY, baseUrl: fake.url, model: undefined }, { fetch: spy })
    await provider.discover()
    await provider.generate(request(), live())
    expect(seen).toEqual([`${fake.url}/models`, `${fake.url}/images/generations`])
    expect(fake.requests.map((r) => r.path)).toEqual(["/v1/models", "/v1/images/generations"])
  })

  test("a failed generation is tried once (no SDK retries)", async () => {
    fake.set({ error: OPENAI_ERRORS.overloaded })
    await rejection(openai().generate(request(), live()))
    expect(imageRequests(fake)).toHaveLength(1)
  })

  test("aborting mid-request rejects promptly with the abort reason and drops the connection", async () => {
    const { arrived, closed } = fake.hangNext()
    const controller = new AbortController()
    const attempt = openai().generate(request(), { signal: controller.signal })
    await arrived
    const reason = new DOMException("job cancelled", "AbortError")
    controller.abort(reason)
    await expect(attempt).rejects.toBe(reason)
    await closed
    expect(last().disconnected).toBe(true)
  })

  test("an already aborted signal rejects with its reason and sends nothing", async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(openai().generate(request(), { signal: controller.signal })).rejects.toBe(controller.signal.reason)
    expect(fake.requests).toHaveLength(0)
  })

  test("the openai package loads on first discover, not when the module is imported or a provider built", async () => {
    const script = `
      const loaded = () => Object.keys(require.cache).some((k) => k.includes("/node_modules/openai/"))
      const { createOpenAIProvider } = await import("@/providers/openai/provider")
      const provider = createOpenAIProvider({ apiKey: ${JSON.stringify(KEY)}, baseUrl: ${JSON.stringify(fake.url)} })
      const before = loaded()
      const caps = await provider.discover()
      console.log(JSON.stringify({ before, after: loaded(), models: caps.models.length }))
    `
    const proc = Bun.spawn([process.execPath, "-e", script], { cwd: `${import.meta.dir}/../..`, stdout: "pipe" })
    const out = await new Response(proc.stdout).text()
    expect(await proc.exited).toBe(0)
    expect(JSON.parse(out)).toEqual({ before: false, after: true, models: 8 })
  })
})

describe.skipIf(!process.env.OPENAI_API_KEY_LIVE)("openai live API", () => {
  const provider = () => createOpenAIProvider({ apiKey: process.env.OPENAI_API_KEY_LIVE ?? "" })

  test("discovers image models and generates one small draft", async () => {
    const caps = await provider().discover()
    expect(caps.degraded).toBe(false)
    expect(caps.models.length).toBeGreaterThan(0)
    const result = await provider().generate(request({ model: "gpt-image-2.6-flare" }), live())
    expect((await new Bun.Image(result.data).metadata()).width).toBe(1024)
  }, 180_000)
})
