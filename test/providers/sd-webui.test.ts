import { afterEach, beforeEach, describe, expect, test } from "bun:test"
import { ProviderConnectionError, ProviderError, TooManyInputImagesError } from "@/providers/errors"
import { detectArchitecture, SD_PRESETS, type SdArchitecture, sizeFor } from "@/providers/local/presets"
import { createSdWebuiProvider, PROVIDER_NAME, type SdWebuiOptions } from "@/providers/sd-webui/provider"
import type { GenerateRequest, InputImage } from "@/providers/types"
import { closedPortUrl, type FakeSdWebui, type FakeSdWebuiBehaviour, fakeSdWebui } from "../fixture/fake-sd-webui"
import { testProvider } from "./contract"

const TXT2IMG = "/sdapi/v1/txt2img"
const IMG2IMG = "/sdapi/v1/img2img"
const PROGRESS = "/sdapi/v1/progress"

let fake: FakeSdWebui
beforeEach(() => {
  fake = fakeSdWebui()
})
afterEach(async () => {
  await fake[Symbol.asyncDispose]()
})

const sd = (options: Partial<SdWebuiOptions> = {}) => createSdWebuiProvider({ host: fake.url, ...options })
const request = (fields: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompt: "a lighthouse at dusk",
  aspectRatio: "1:1",
  quality: "standard",
  background: "opaque",
  ...fields,
})
const live = () => ({ signal: new AbortController().signal })
const image = (bytes: number[]): InputImage => ({
  data: new Uint8Array(bytes),
  contentType: "image/png",
  sourceId: null,
})
const bodyOf = (path: string) => fake.calls(path).at(-1)?.body
const settle = (ms: number) => Bun.sleep(ms)

async function until(check: () => boolean, ms = 1000): Promise<void> {
  const end = performance.now() + ms
  while (!check()) {
    if (performance.now() > end) throw new Error("condition not reached")
    await Bun.sleep(2)
  }
}

/** After a generation settled: no more callbacks, and no more polls once one aborted in flight has landed. */
async function expectPollingStopped(callbacks: () => number): Promise<void> {
  const calls = callbacks()
  await settle(15)
  const polls = fake.calls(PROGRESS).length
  await settle(50)
  expect([fake.calls(PROGRESS).length, callbacks()]).toEqual([polls, calls])
}

testProvider(PROVIDER_NAME, {
  provider: () => sd(),
  additionalTests: () => {
    describe("architecture detection and presets", () => {
      test.each<[string | undefined, SdArchitecture]>([
        ["dreamshaper_8", "sd15"],
        ["juggernaut_xl", "sdxl"],
        ["xl_model_v2", "sdxl"],
        ["model-xl", "sdxl"],
        ["sdxl_turbo", "sdxl_lightning"],
        ["juggernautXL_lightning_xl_", "sdxl_lightning"],
        ["dreamshaper_lightning", "sd15"],
        ["flux1-dev-fp8.safetensors", "flux_dev"],
        ["flux1-schnell-Q4.gguf", "flux_schnell"],
        ["flux2_pro.safetensors", "flux_dev"],
        ["sd3_5_large.safetensors", "sd3"],
        ["stable_diffusion_3_5_large_turbo", "sd3"],
        ["ponyDiffusionV6XL.safetensors", "sd15"],
        ["SDXL_Base_1.0", "sdxl"],
        ["My-Flux-Schnell", "flux_schnell"],
        ["", "sd15"],
        [undefined, "sd15"],
      ])("%p → %s", (name, arch) => {
        expect(detectArchitecture(name)).toBe(arch)
      })

      test.each<[SdArchitecture, number, string, string, number, number | undefined, boolean, string, string]>([
        ["sd15", 30, "DPM++ 2M", "Karras", 7.0, undefined, true, "clip", "medium"],
        ["sdxl", 35, "DPM++ 2M", "Karras", 7.5, undefined, true, "clip", "high"],
        ["sdxl_lightning", 6, "DPM++ SDE", "Karras", 2.0, undefined, true, "clip", "high"],
        ["flux_dev", 20, "Euler", "Simple", 1.0, 3.5, false, "natural_language", "high"],
        ["flux_schnell", 4, "Euler", "Simple", 1.0, 3.5, false, "natural_language", "high"],
        ["sd3", 28, "DPM++ 2M", "Karras", 4.5, undefined, true, "natural_language", "high"],
      ])("%s preset", (arch, steps, sampler, scheduler, cfgScale, distilledCfgScale, negativePrompt, style, tier) => {
        expect(SD_PRESETS[arch]).toMatchObject({ steps, sampler, scheduler, cfgScale, negativePrompt })
        expect(SD_PRESETS[arch].distilledCfgScale).toBe(distilledCfgScale)
        expect(SD_PRESETS[arch]).toMatchObject({ promptStyle: style, qualityTier: tier })
      })

      test("size tables per ratio; an unknown ratio falls back to the square size", () => {
        const sizes = (arch: SdArchitecture) =>
          ["1:1", "16:9", "9:16", "3:2", "2:3", "7:5"].map((r) => sizeFor(SD_PRESETS[arch], r).join("x"))
        expect(sizes("sd15")).toEqual(["768x768", "912x512", "512x912", "768x512", "512x768", "768x768"])
        const xl = ["1024x1024", "1344x768", "768x1344", "1216x832", "832x1216", "1024x1024"]
        for (const arch of ["sdxl", "sdxl_lightning", "flux_dev", "flux_schnell", "sd3"] as const) {
          expect(sizes(arch)).toEqual(xl)
        }
      })
    })

    describe("txt2img", () => {
      test("no model: the SD 1.5 payload with an empty negative prompt and no override", async () => {
        const result = await sd().generate(request(), live())
        expect(bodyOf(TXT2IMG)).toEqual({
          prompt: "a lighthouse at dusk",
          width: 768,
          height: 768,
          steps: 30,
          cfg_scale: 7,
          sampler_name: "DPM++ 2M",
          scheduler: "Karras",
          negative_prompt: "",
        })
        expect(result.contentType).toBe("image/png")
        expect(await new Bun.Image(result.data).metadata()).toEqual({ width: 768, height: 768, format: "png" })
        expect(result.metadata).toEqual({
          quality: "medium",
          model: "dreamshaper_8",
          size: "768x768",
          steps: 30,
          prompt_style: "clip",
          seed: 1234567,
        })
      })

      test("a configured SDXL model: its preset, sizes and override_settings; quality and background ignored", async () => {
        const model = "juggernautXL_v9.safetensors [c9e3e68f89]"
        const provider = sd({ model })
        const result = await provider.generate(
          request({ aspectRatio: "16:9", negativePrompt: "blurry", quality: "hd", background: "transparent" }),
          live(),
        )
        expect(bodyOf(TXT2IMG)).toEqual({
          prompt: "a lighthouse at dusk",
          width: 1344,
          height: 768,
          steps: 35,
          cfg_scale: 7.5,
          sampler_name: "DPM++ 2M",
          scheduler: "Karras",
          negative_prompt: "blurry",
          override_settings: { sd_model_checkpoint: model },
        })
        expect(result.metadata).toMatchObject({ quality: "high", model, size: "1344x768", steps: 35 })
      })

      test("Flux: no negative_prompt key at all, distilled_cfg_scale 3.5", async () => {
        await sd().generate(request({ model: "flux1-dev-fp8.safetensors", negativePrompt: "ugly" }), live())
        expect(bodyOf(TXT2IMG)).toEqual({
          prompt: "a lighthouse at dusk",
          width: 1024,
          height: 1024,
          steps: 20,
          cfg_scale: 1,
          sampler_name: "Euler",
          scheduler: "Simple",
          distilled_cfg_scale: 3.5,
          override_settings: { sd_model_checkpoint: "flux1-dev-fp8.safetensors" },
        })
      })

      test("a per-call model beats the configured one and changes preset and metadata", async () => {
        const provider = sd({ model: "dreamshaper_8.safetensors" })
        const result = await provider.generate(request({ model: "flux1-schnell-Q4.gguf", aspectRatio: "2:3" }), live())
        expect(bodyOf(TXT2IMG)).toMatchObject({ steps: 4, width: 832, height: 1216 })
        expect(bodyOf(TXT2IMG)).toMatchObject({ override_settings: { sd_model_checkpoint: "flux1-schnell-Q4.gguf" } })
        expect(result.metadata).toEqual({
          quality: "high",
          model: "flux1-schnell-Q4.gguf",
          size: "832x1216",
          steps: 4,
          prompt_style: "natural_language",
          seed: 1234567,
        })
      })

      test("lightning and SD3 presets reach the payload", async () => {
        await sd().generate(request({ model: "sdxl_turbo" }), live())
        expect(bodyOf(TXT2IMG)).toMatchObject({
          steps: 6,
          cfg_scale: 2,
          sampler_name: "DPM++ SDE",
          negative_prompt: "",
        })
        await sd().generate(request({ model: "sd3_5_large.safetensors" }), live())
        expect(bodyOf(TXT2IMG)).toMatchObject({ steps: 28, cfg_scale: 4.5, negative_prompt: "" })
        expect(bodyOf(TXT2IMG)).not.toHaveProperty("distilled_cfg_scale")
      })

      test("trailing slashes on the host are stripped; undefined options keep defaults; strength without references is ignored", async () => {
        await sd({ host: `${fake.url}//`, timeoutMs: undefined, progressIntervalMs: undefined }).generate(
          request({ strength: 0.3, aspectRatio: "7:5" }),
          live(),
        )
        expect(fake.requests.map((r) => r.path)).toEqual([TXT2IMG])
        expect(bodyOf(TXT2IMG)).toMatchObject({ width: 768, height: 768 })
        expect(bodyOf(TXT2IMG)).not.toHaveProperty("denoising_strength")
      })

      test("info as an object, or unreadable: seed only when present, model null when unknown", async () => {
        fake.set({ info: { seed: 42, sd_model_name: "from_info" } })
        expect((await sd().generate(request(), live())).metadata).toMatchObject({ seed: 42, model: "from_info" })
        for (const info of ["{not json", [1, 2], 17]) {
          fake.set({ info })
          const { metadata } = await sd().generate(request(), live())
          expect(metadata).not.toHaveProperty("seed")
          expect(metadata.model).toBeNull()
        }
      })
    })

    describe("img2img", () => {
      test("one reference posts init_images and denoising_strength 0.75 by default", async () => {
        const result = await sd().generate(request({ referenceImages: [image([1, 2, 3])] }), live())
        expect(fake.requests.map((r) => r.path)).toEqual([IMG2IMG])
        expect(bodyOf(IMG2IMG)).toMatchObject({ init_images: ["AQID"], denoising_strength: 0.75, steps: 30 })
        expect(result.metadata).toMatchObject({ edited: true, size: "768x768" })
      })

      test.each([0.0, 0.4, 1])("strength %p is sent as is", async (strength) => {
        await sd().generate(request({ referenceImages: [image([9])], strength }), live())
        expect(bodyOf(IMG2IMG)).toMatchObject({ denoising_strength: strength })
      })

      test("two references → TooManyInputImages, nothing sent", async () => {
        const refs = [image([1]), image([2])]
        await expect(sd().generate(request({ referenceImages: refs }), live())).rejects.toThrow(
          new TooManyInputImagesError(PROVIDER_NAME, null, 1, 2),
        )
        const attempt = sd({ model: "juggernautXL_v9" }).generate(request({ referenceImages: refs }), live())
        await expect(attempt).rejects.toThrow(
          "[sd_webui] Model 'juggernautXL_v9' accepts at most 1 reference image(s); 2 were given.",
        )
        expect(new TooManyInputImagesError(PROVIDER_NAME, null, 1, 2).message).toBe(
          "[sd_webui] This model accepts at most 1 reference image(s); 2 were given.",
        )
        expect(fake.requests).toHaveLength(0)
      })

      test("a mask is refused before any request", async () => {
        const attempt = sd().generate(request({ referenceImages: [image([1])], mask: image([2]) }), live())
        await expect(attempt).rejects.toThrow(
          new ProviderError(PROVIDER_NAME, "mask is not supported by this provider"),
        )
        expect(fake.requests).toHaveLength(0)
      })
    })

    describe("errors", () => {
      test("a non-200 answer carries the first 200 characters of the body", async () => {
        fake.set({ fail: { status: 500, body: `${"x".repeat(200)}TAIL` } })
        const error = await sd()
          .generate(request(), live())
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ProviderError)
        expect(error).not.toBeInstanceOf(ProviderConnectionError)
        expect((error as Error).message).toBe(`[sd_webui] SD WebUI returned HTTP 500: ${"x".repeat(200)}`)
      })

      test("empty or missing images, and a body that is not JSON", async () => {
        const missing = "[sd_webui] SD WebUI response missing 'images' field or returned empty list"
        fake.set({ emptyImages: true })
        await expect(sd().generate(request(), live())).rejects.toThrow(missing)
        fake.set({ emptyImages: false, fail: { status: 200, body: JSON.stringify({ info: "{}" }) } })
        await expect(sd().generate(request(), live())).rejects.toThrow(missing)
        fake.set({ fail: undefined, malformed: true })
        await expect(sd().generate(request(), live())).rejects.toThrow(/response was not JSON/)
      })

      test("a refused connection is a ProviderConnectionError naming the host", async () => {
        const host = await closedPortUrl()
        const error = await createSdWebuiProvider({ host: `${host}/` })
          .generate(request(), live())
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ProviderConnectionError)
        expect((error as Error).message).toStartWith(`[sd_webui] Cannot connect to SD WebUI at ${host}: `)
      })

      test("a slow WebUI times out as a ProviderConnectionError", async () => {
        fake.set({ delayMs: 3000 })
        const started = performance.now()
        const error = await sd({ timeoutMs: 100 })
          .generate(request(), live())
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ProviderConnectionError)
        expect((error as Error).message).toStartWith("[sd_webui] Request to SD WebUI timed out after 0.1s: ")
        expect(performance.now() - started).toBeLessThan(1000)
      })

      test("aborting the signal mid-request rejects promptly with its reason and stops polling", async () => {
        fake.set({ delayMs: 5000 })
        const controller = new AbortController()
        const reason = new Error("job cancelled")
        const progress: string[] = []
        const pending = sd({ progressIntervalMs: 10 }).generate(request(), {
          signal: controller.signal,
          onProgress: (_, message) => progress.push(message),
        })
        await until(() => fake.calls(TXT2IMG).length === 1)
        const aborted = performance.now()
        controller.abort(reason)
        expect(await pending.catch((e: unknown) => e)).toBe(reason)
        expect(performance.now() - aborted).toBeLessThan(500)
        await expectPollingStopped(() => progress.length)
      })

      test("the injected fetch is used, and its timeout is cleared once the response is read", async () => {
        const signals: AbortSignal[] = []
        const spy = Object.assign(
          (input: string | URL | Request, init?: RequestInit) => {
            if (init?.signal) signals.push(init.signal)
            return fetch(input, init)
          },
          { preconnect: fetch.preconnect },
        )
        await createSdWebuiProvider({ host: fake.url, timeoutMs: 30 }, { fetch: spy }).generate(request(), live())
        await settle(60)
        expect(signals).toHaveLength(1)
        expect(signals[0]?.aborted).toBe(false)
      })

      test("an already-aborted signal sends nothing", async () => {
        const controller = new AbortController()
        controller.abort(new Error("too late"))
        await expect(sd().generate(request(), { signal: controller.signal })).rejects.toThrow("too late")
        expect(fake.requests).toHaveLength(0)
      })
    })

    describe("progress", () => {
      test("the callback receives 'Step x/y (ETA ns)', immediately and then every interval", async () => {
        fake.set({ delayMs: 80, progress: { progress: 0.5, eta_relative: 3.4 } })
        const seen: [number, string][] = []
        await sd({ progressIntervalMs: 15 }).generate(request(), {
          ...live(),
          onProgress: (fraction, message) => seen.push([fraction, message]),
        })
        expect(seen.length).toBeGreaterThanOrEqual(2)
        for (const entry of seen) expect(entry).toEqual([0.5, "Step 15/30 (ETA 3s)"])
      })

      test("no ETA suffix when eta_relative is 0; steps follow the preset", async () => {
        fake.set({ delayMs: 30, progress: { progress: 0.25, eta_relative: 0 } })
        const seen: string[] = []
        const onProgress = (_: number, message: string) => seen.push(message)
        await sd().generate(request({ model: "flux1-schnell-Q4.gguf" }), { ...live(), onProgress })
        expect(seen).toEqual(["Step 1/4"])
      })

      test("progress follows a running generation, and polling ends with it", async () => {
        fake.set({ delayMs: 150 })
        const seen: [number, string][] = []
        await sd({ progressIntervalMs: 10 }).generate(request(), {
          ...live(),
          onProgress: (fraction, message) => seen.push([fraction, message]),
        })
        expect(seen.length).toBeGreaterThanOrEqual(3)
        for (const [, message] of seen) expect(message).toMatch(/^Step \d+\/30( \(ETA \d+s\))?$/)
        expect(seen.some(([fraction]) => fraction > 0)).toBe(true)
        await expectPollingStopped(() => seen.length)
      })

      test("with a long interval only the immediate poll happens", async () => {
        fake.set({ delayMs: 60 })
        await sd({ progressIntervalMs: 10_000 }).generate(request(), { ...live(), onProgress: () => {} })
        expect(fake.calls(PROGRESS)).toHaveLength(1)
      })

      test("failing progress polls or a throwing callback do not break generation", async () => {
        fake.set({ delayMs: 60, progressFails: true })
        const seen: string[] = []
        const provider = sd({ progressIntervalMs: 10 })
        await provider.generate(request(), { ...live(), onProgress: (_, m) => seen.push(m) })
        expect(fake.calls(PROGRESS).length).toBeGreaterThan(1)
        expect(seen).toEqual([])
        fake.set({ progressFails: false })
        const thrower = () => {
          throw new Error("callback broke")
        }
        const result = await provider.generate(request(), { ...live(), onProgress: thrower })
        expect(result.contentType).toBe("image/png")
      })

      test("no callback, no polling; polling also stops when generation fails", async () => {
        fake.set({ delayMs: 40 })
        await sd({ progressIntervalMs: 5 }).generate(request(), live())
        expect(fake.calls(PROGRESS)).toHaveLength(0)
        fake.set({ fail: { status: 503, body: "busy" } })
        const attempt = sd({ progressIntervalMs: 5 }).generate(request(), { ...live(), onProgress: () => {} })
        await expect(attempt).rejects.toThrow("SD WebUI returned HTTP 503: busy")
        await expectPollingStopped(() => 0)
      })
    })

    describe("discovery", () => {
      test("checkpoints become models with the full capability shape, from both endpoints", async () => {
        const caps = await sd().discover()
        expect(fake.requests.map((r) => r.path).sort()).toEqual(["/sdapi/v1/options", "/sdapi/v1/sd-models"])
        expect(caps).toMatchObject({ provider_name: "sd_webui", degraded: false, supports_negative_prompt: true })
        expect(caps.supports_background).toBe(false)
        const [first] = caps.models
        expect(Object.keys(first ?? {})).toEqual([
          "model_id",
          "display_name",
          "can_generate",
          "can_edit",
          "supports_mask",
          "supported_aspect_ratios",
          "supported_qualities",
          "supported_formats",
          "supports_negative_prompt",
          "supports_background",
          "supports_image_input",
          "max_input_images",
          "max_resolution",
          "default_steps",
          "default_cfg",
          "prompt_style",
          "style_profile",
        ])
        expect(first).toMatchObject({
          model_id: "dreamshaper_8.safetensors [879db523c3]",
          display_name: "dreamshaper_8",
          can_generate: true,
          can_edit: false,
          supports_mask: false,
          supported_aspect_ratios: ["1:1", "16:9", "9:16", "3:2", "2:3"],
          supported_qualities: ["standard"],
          supported_formats: ["png"],
          supports_negative_prompt: true,
          supports_background: false,
          supports_image_input: true,
          max_input_images: 1,
          max_resolution: 768,
          default_steps: 30,
          default_cfg: 7,
          prompt_style: "clip",
          style_profile: { label: "DreamShaper (adaptable SD1.5)", lifecycle: "current" },
        })
      })

      test.each<[string, number, number, number, string, boolean]>([
        ["dreamshaper_8.safetensors", 768, 30, 7.0, "clip", true],
        ["juggernautXL_v9.safetensors", 1024, 35, 7.5, "clip", true],
        ["sdxl_lightning_4step.safetensors", 1024, 6, 2.0, "clip", true],
        ["flux1-dev-fp8.safetensors", 1024, 20, 1.0, "natural_language", false],
        ["flux1-schnell-Q4.gguf", 1024, 4, 1.0, "natural_language", false],
        ["sd3_5_large.safetensors", 1024, 28, 4.5, "natural_language", true],
      ])("%s → max %i, %i steps, cfg %d, %s", async (title, resolution, steps, cfg, style, negative) => {
        fake.set({ checkpoints: [{ title, model_name: title }] })
        const [model] = (await sd().discover()).models
        expect(model).toMatchObject({
          max_resolution: resolution,
          default_steps: steps,
          default_cfg: cfg,
          prompt_style: style,
          supports_negative_prompt: negative,
          supports_image_input: true,
          max_input_images: 1,
        })
      })

      test.each([
        ["flux2_dev_nf4", "FLUX.2"],
        ["flux1_schnell_nf4", "Flux Schnell"],
        ["flux1_dev_nf4", "Flux 1 dev/pro"],
        ["ponyDiffusionV6XL", "Pony Diffusion XL"],
        ["autismMix_confetti", "Pony Diffusion XL"],
        ["illustriousJuggernaut_v3", "Illustrious-XL"],
        ["noobAI_xl_vpred", "Illustrious-XL"],
        ["animagineXL_v3", "Animagine XL"],
        ["coloringBook_v1.ckpt", "Coloring Book"],
        ["juggernautXL_v9", "Juggernaut XL"],
        ["dreamshaperXL_v21Lightning", "DreamShaperXL Lightning"],
        ["dreamshaperXL_v2", "DreamShaperXL (all-purpose"],
        ["dreamshaper_8", "DreamShaper (adaptable"],
        ["sd3_5_large", "SD 3 / 3.5"],
        ["sd_3_medium", "SD 3 / 3.5"],
        ["sd_xl_base_1.0", "SDXL Base"],
        ["realvisxl_v4", "RealVisXL"],
        ["v1-5-pruned-emaonly", "SD 1.5"],
        ["sd_1_5_base", "SD 1.5"],
        ["xyzUnknownCheckpoint", "Unknown checkpoint"],
        ["schnell_anime_finetune", "Unknown checkpoint"],
      ])("style profile of %s is %s", async (title, label) => {
        fake.set({ checkpoints: [{ title }] })
        const [model] = (await sd().discover()).models
        expect(model?.style_profile?.label).toStartWith(label)
      })

      test("untitled checkpoints are skipped; display_name falls back to the title", async () => {
        fake.set({
          checkpoints: [
            { title: "" },
            { model_name: "no_title" },
            { title: null },
            { title: "a.safetensors", model_name: "" },
          ],
        })
        const caps = await sd().discover()
        expect(caps.models.map((m) => [m.model_id, m.display_name])).toEqual([["a.safetensors", "a.safetensors"]])
      })

      test("zero checkpoints: not degraded, no models; only Flux: no negative prompt support", async () => {
        fake.set({ checkpoints: [] })
        expect(await sd().discover()).toMatchObject({ models: [], degraded: false })
        fake.set({ checkpoints: [{ title: "flux1-dev.safetensors" }] })
        expect((await sd().discover()).supports_negative_prompt).toBe(false)
      })

      test.each<[string, Partial<FakeSdWebuiBehaviour>, Partial<SdWebuiOptions>]>([
        ["a timeout", { modelsDelayMs: 3000 }, { timeoutMs: 50 }],
        ["HTTP 500", { modelsStatus: 500 }, {}],
        ["a JSON object", { checkpoints: { detail: "nope" } }, {}],
        ["a JSON string", { checkpoints: "dreamshaper_8" }, {}],
      ])("%s → degraded, no models, no throw", async (_, behaviour, options) => {
        fake.set(behaviour)
        const before = Date.now() / 1000
        const caps = await sd(options).discover()
        expect(caps).toMatchObject({ provider_name: "sd_webui", models: [], degraded: true })
        expect(caps.discovered_at).toBeGreaterThanOrEqual(before - 1)
      })

      test("connection refused → degraded, no throw", async () => {
        const caps = await createSdWebuiProvider({ host: await closedPortUrl() }).discover()
        expect(caps).toMatchObject({ provider_name: "sd_webui", models: [], degraded: true })
      })

      test("an aborted discovery rejects with the signal's reason", async () => {
        fake.set({ modelsDelayMs: 3000 })
        const controller = new AbortController()
        const pending = sd().discover(controller.signal)
        await until(() => fake.requests.length === 2)
        controller.abort(new Error("shutting down"))
        await expect(pending).rejects.toThrow("shutting down")
      })
    })
  },
})

describe("sd_webui ping", () => {
  test("answers when /options does; an error status or a closed port is reported", async () => {
    await sd().ping?.(live().signal)
    const closed = createSdWebuiProvider({ host: await closedPortUrl() }).ping?.(live().signal)
    await expect(closed ?? Promise.resolve()).rejects.toBeInstanceOf(ProviderConnectionError)
  })
})

describe("sd_webui cancellation", () => {
  test("an aborted generation asks the WebUI to interrupt, so the GPU is freed", async () => {
    fake.set({ delayMs: 3000 })
    const controller = new AbortController()
    const pending = sd().generate(request(), { signal: controller.signal })
    await until(() => fake.calls(TXT2IMG).length === 1)
    controller.abort(new Error("cancelled"))
    await expect(pending).rejects.toThrow("cancelled")
    await until(() => fake.calls("/sdapi/v1/interrupt").length === 1)
  })

  test("a host with credentials never shows them in errors", async () => {
    const host = (await closedPortUrl()).replace("http://", "http://admin:hunter2secret@")
    const error = await sd({ host })
      .generate(request(), live())
      .catch((e: Error) => e)
    expect((error as Error).message).toContain("Cannot connect to SD WebUI at http://127.0.0.1:")
    expect((error as Error).message).not.toContain("hunter2secret")
  })
})
