// The Gemini catalog (lifecycle, per-model limits), discovery from the models list, the default model and doctor.
import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { InvalidArgumentError } from "@/core/errors"
import { fitModel } from "@/core/generation/model-fit"
import { ProviderService } from "@/core/providers/service"
import { geminiDefinition } from "@/providers/gemini"
import { DEFAULT_GEMINI_MODEL, GEMINI_MODELS } from "@/providers/gemini/models"
import { GEMINI_PROFILES } from "@/providers/gemini/profiles"
import { stageOn } from "@/providers/lifecycle"
import { FAKE_IMAGE_MODELS, fakeModel, startFakeGemini } from "../fixture/fake-gemini"
import { geminiOn, signal } from "./gemini-helpers"

const fake = startFakeGemini({ keys: { "g-refused": "invalid" } })
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())
const gemini = geminiOn(fake)
const TODAY = "2026-12-02"
const RATIOS_10 = ["1:1", "16:9", "9:16", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "21:9"]
const RATIOS_14 = ["1:1", "16:9", "9:16", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "4:1", "1:4", "8:1", "1:8", "21:9"]
const ids = (models: { model_id: string }[]) => models.map((m) => m.model_id)
const everyModel = () => fake.set({ served: FAKE_IMAGE_MODELS.map((m) => m.id) })

describe("gemini catalog", () => {
  test("every model the service had in 2026, with its stage on 2026-12-02 and a current replacement", () => {
    const stages = GEMINI_MODELS.map((m) => [m.id, stageOn(m.lifecycle, TODAY), m.lifecycle?.replacement ?? null])
    expect(stages).toEqual([
      ["gemini-2.0-flash-exp-image-generation", "retired", DEFAULT_GEMINI_MODEL],
      ["gemini-2.0-flash-preview-image-generation", "retired", DEFAULT_GEMINI_MODEL],
      ["gemini-2.5-flash-image-preview", "retired", DEFAULT_GEMINI_MODEL],
      ["gemini-2.5-flash-image", "retired", DEFAULT_GEMINI_MODEL],
      ["gemini-3-pro-image-preview", "retired", "gemini-3-pro-image"],
      ["gemini-3.1-flash-image-preview", "retired", DEFAULT_GEMINI_MODEL],
      // Deprecated without a Google shutdown date: the models list decides.
      ["gemini-3.1-flash-image", "deprecated", DEFAULT_GEMINI_MODEL],
      ["gemini-3.1-flash-lite-image", "current", null],
      ["gemini-3-pro-image", "current", null],
      ["gemini-nano-banana-2.1", "current", null],
    ])
    for (const model of GEMINI_MODELS) {
      const replacement = GEMINI_MODELS.find((m) => m.id === model.lifecycle?.replacement)
      if (replacement) expect(stageOn(replacement.lifecycle, TODAY)).toBe("current")
      if (stageOn(model.lifecycle, TODAY) !== "retired") {
        expect(GEMINI_PROFILES[model.id]?.lifecycle).toBe(model.lifecycle?.stage as "current")
      }
    }
    expect(GEMINI_MODELS.find((m) => m.lifecycle?.stage === "deprecated")?.lifecycle?.shutdown).toBeUndefined()
    expect(stageOn(GEMINI_MODELS.find((m) => m.id === DEFAULT_GEMINI_MODEL)?.lifecycle, TODAY)).toBe("current")
  })

  test("the definition's catalog carries every model with its lifecycle and per-model limits", () => {
    const catalog = geminiDefinition.catalog
    expect(ids([...catalog])).toEqual(GEMINI_MODELS.map((m) => m.id))
    const limits = Object.fromEntries(
      catalog
        .filter((m) => m.lifecycle?.stage !== "retired")
        .map((m) => [
          m.model_id,
          [m.supported_aspect_ratios, m.supported_qualities, m.max_input_images, m.max_resolution],
        ]),
    )
    expect(limits).toEqual({
      "gemini-3.1-flash-image": [RATIOS_14, ["standard", "hd"], 14, 6144],
      "gemini-3.1-flash-lite-image": [RATIOS_10, ["standard"], 14, 1584],
      "gemini-3-pro-image": [RATIOS_10, ["standard", "hd"], 14, 3168],
      "gemini-nano-banana-2.1": [RATIOS_14, ["standard", "hd"], 14, 6144],
    })
    for (const model of catalog) {
      expect(model).toMatchObject({ supports_mask: false, supports_background: false, supports_image_input: true })
      expect(model).toMatchObject({ watermark: "synthid", prompt_style: "natural_language" })
      expect(model.lifecycle).toBeDefined()
    }
  })

  test("the catalog's limits match what the fake's models accept", () => {
    for (const model of GEMINI_MODELS) {
      const served = fakeModel(model.id)
      if (!served) continue
      expect([...model.aspectRatios].sort()).toEqual([...served.aspectRatios].sort())
      for (const tier of Object.values(model.qualities)) if (tier) expect(served.imageSizes).toContain(tier)
    }
  })
})

describe("gemini discovery", () => {
  test("offers the served catalog models the service lists, newest last, and nothing else it lists", async () => {
    const caps = await gemini().discover(signal)
    expect(caps.degraded).toBe(false)
    expect(ids(caps.models)).toEqual(["gemini-3.1-flash-lite-image", "gemini-3-pro-image", "gemini-nano-banana-2.1"])
    expect(fake.calls).toEqual([{ method: "GET", path: "/v1beta/models", apiVersion: "v1beta", query: {} }])
  })

  test("a listed deprecated model is offered with its note; a listed retired one is not", async () => {
    everyModel()
    const caps = await gemini().discover(signal)
    expect(ids(caps.models)).toEqual([
      "gemini-3.1-flash-image",
      "gemini-3.1-flash-lite-image",
      "gemini-3-pro-image",
      "gemini-nano-banana-2.1",
    ])
    expect(caps.models[0]?.style_profile).toMatchObject({ lifecycle: "deprecated" })
    expect(caps.models[0]?.style_profile?.deprecation_note).toContain("gemini-nano-banana-2.1")
  })

  test("a listed image model the catalog does not know is offered conservatively; Imagen, Veo and text models are not", async () => {
    const base = fakeModel("gemini-3-pro-image") ?? expect.unreachable()
    const entry = { ...base.entry, name: "models/gemini-4-flash-image", displayName: "Nano Banana 3" }
    fake.set({ newModels: [{ ...base, id: "gemini-4-flash-image", entry }] })
    const [newcomer, ...rest] = (await gemini().discover(signal)).models
    expect(ids(rest)).toEqual(["gemini-3.1-flash-lite-image", "gemini-3-pro-image", "gemini-nano-banana-2.1"])
    expect(newcomer).toMatchObject({
      model_id: "gemini-4-flash-image",
      display_name: "Nano Banana 3",
      supported_aspect_ratios: RATIOS_10,
      supported_qualities: ["standard"],
      max_input_images: 3,
      max_resolution: null,
      watermark: "synthid",
    })
    expect(newcomer?.lifecycle).toBeUndefined()
    expect(newcomer?.style_profile?.style_hints).toContain("does not know yet")
  })

  test("pages through the list (50 a page) until nextPageToken is gone", async () => {
    fake.set({ fillers: 120 })
    const caps = await gemini().discover(signal)
    expect(ids(caps.models)).toEqual(["gemini-3.1-flash-lite-image", "gemini-3-pro-image", "gemini-nano-banana-2.1"])
    expect(fake.calls.map((c) => Boolean(c.query.pageToken))).toEqual([false, true, true])
  })

  test("when listing fails the provider is degraded with no models, and the failure is logged", async () => {
    fake.set({ listFail: { code: 500, status: "INTERNAL", message: "An internal error has occurred." } })
    expect(await gemini().discover(signal)).toMatchObject({ degraded: true, models: [] })
    fake.reset()
    expect(await gemini({ apiKey: "g-refused" }).discover(signal)).toMatchObject({ degraded: true, models: [] })
  })
})

describe("gemini default model and the core's checks", () => {
  async function service(model?: string) {
    const providers = new ProviderService([gemini({ model })])
    await providers.ready()
    return providers
  }
  const fit = (providers: ProviderService, fields: Parameters<typeof fitModel>[2]) => () =>
    fitModel(providers, "gemini", fields)
  const base = { model: null, aspectRatio: "1:1", quality: "standard", background: "opaque" }

  test("IMAGE_GENERATION_MCP_GEMINI_MODEL sets the default; unset it is nano-banana-2.1", async () => {
    const settings = { apiKey: "k", baseUrl: fake.url, model: "gemini-3-pro-image" }
    expect(geminiDefinition.create(settings, {}).defaultModel).toBe("gemini-3-pro-image")
    expect(geminiDefinition.create({ ...settings, model: undefined }, {}).defaultModel).toBe("gemini-nano-banana-2.1")
    expect(geminiDefinition.settings.find((s) => s.key === "model")?.env).toBe("GEMINI_MODEL")
  })

  test("a retired model is refused before any request, naming its replacement", async () => {
    const providers = await service()
    expect(fit(providers, { ...base, model: "gemini-3-pro-image-preview" })).toThrow(
      "Model 'gemini-3-pro-image-preview' was retired by its vendor on 2026-06-25 and can no longer be used. Use 'gemini-3-pro-image' instead. (provider 'gemini')",
    )
  })

  test("per-model limits in the capabilities are the pre-call refusal", async () => {
    const providers = await service()
    expect(fit(providers, { ...base, model: "gemini-3.1-flash-lite-image", quality: "hd" })).toThrow(
      "Unsupported quality 'hd' for provider 'gemini' (model 'gemini-3.1-flash-lite-image'). Supported: standard",
    )
    expect(fit(providers, { ...base, model: "gemini-3-pro-image", aspectRatio: "8:1" })).toThrow(InvalidArgumentError)
    expect(fit(providers, { ...base, model: "gemini-3.1-flash-image" })).toThrow(
      "Model 'gemini-3.1-flash-image' is not offered by provider 'gemini'. Available: gemini-3.1-flash-lite-image, gemini-3-pro-image, gemini-nano-banana-2.1.",
    )
    const pro = await service("gemini-3-pro-image")
    expect(fitModel(pro, "gemini", { ...base, aspectRatio: "8:1" })).toBe("gemini-nano-banana-2.1")
    expect(fake.requests).toHaveLength(0)
  })
})

describe("gemini doctor", () => {
  const checks = (model?: string) => geminiDefinition.doctor.checks?.(gemini({ model }), signal)

  test("the default model listed is fine; a configured one Google stopped listing fails with the choices", async () => {
    expect(await checks()).toEqual([
      {
        ok: true,
        label: "gemini default model",
        detail: "'gemini-nano-banana-2.1' (built-in default) is listed by the Gemini API.",
      },
    ])
    expect(await checks("gemini-3.1-flash-image")).toEqual([
      {
        ok: false,
        label: "gemini default model",
        detail:
          "'gemini-3.1-flash-image' (from IMAGE_GENERATION_MCP_GEMINI_MODEL) is not listed by the Gemini API for this key.",
        fix: "Set IMAGE_GENERATION_MCP_GEMINI_MODEL to one of: gemini-3.1-flash-lite-image, gemini-3-pro-image, gemini-nano-banana-2.1.",
      },
    ])
  })

  test("a retired default fails naming the shutdown; a deprecated one passes with its note", async () => {
    everyModel()
    const [retired] = (await checks("gemini-2.5-flash-image")) ?? []
    expect(retired).toMatchObject({
      ok: false,
      detail:
        "'gemini-2.5-flash-image' (from IMAGE_GENERATION_MCP_GEMINI_MODEL) was shut down by Google on 2026-10-02.",
    })
    const [deprecated] = (await checks("gemini-3.1-flash-image")) ?? []
    expect(deprecated).toMatchObject({ ok: true })
    expect(deprecated?.detail).toContain("deprecated since 2026-10-06; use gemini-nano-banana-2.1")
  })

  test("the built-in default missing from the list fails too; an unreachable service adds nothing", async () => {
    fake.set({ served: ["gemini-3-pro-image"] })
    const [missing] = (await checks()) ?? []
    expect(missing).toMatchObject({
      ok: false,
      fix: "Set IMAGE_GENERATION_MCP_GEMINI_MODEL to one of: gemini-3-pro-image.",
    })
    fake.set({ listFail: { code: 503, status: "UNAVAILABLE", message: "down" } })
    expect(await checks()).toEqual([])
  })
})
