import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { catalogEntry, stageOn } from "@/providers/lifecycle"
import { DEFAULT_MODEL, OPENAI_CATALOG } from "@/providers/openai/catalog"
import { offeredModels } from "@/providers/openai/discovery"
import { checkDefaultModel, openaiDefinition } from "@/providers/openai/index"
import { OPENAI_PROFILES } from "@/providers/openai/profiles"
import { createOpenAIProvider, type OpenAIOptions } from "@/providers/openai/provider"
import { FREE_SIZE_RATIOS } from "@/providers/openai/sizes"
import { fakeOpenAI, OPENAI_ERRORS, RETIRED, SERVED } from "../fixture/fake-openai"
import { closedPortUrl, KEY, lastRequest } from "./openai-helpers"

const fake = fakeOpenAI({ apiKey: KEY })
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())

const openai = (o: Partial<OpenAIOptions> = {}) => createOpenAIProvider({ apiKey: KEY, baseUrl: fake.url, ...o })
const ids = async (o: Partial<OpenAIOptions> = {}) => (await openai(o).discover()).models.map((m) => m.model_id)
const SERVED_IN_ORDER = [
  "gpt-image-2-2026-04-21",
  "gpt-image-2",
  "gpt-image-2.5-flare-2026-09-08",
  "gpt-image-2.5-flare",
  "gpt-image-2.5-sunburst-2026-09-08",
  "gpt-image-2.5-sunburst",
  "gpt-image-2.6-flare",
  "gpt-image-2.6-sunburst",
]

describe("openai catalog", () => {
  test("every image model of 2026 has a lifecycle; retired ones name a served replacement", () => {
    const retired = OPENAI_CATALOG.filter((m) => stageOn(m.lifecycle) === "retired")
    expect(retired.map((m) => [m.model_id, m.lifecycle?.shutdown, m.lifecycle?.replacement])).toEqual([
      ["dall-e-2", "2026-05-12", "gpt-image-2.5-sunburst"],
      ["dall-e-3", "2026-05-12", "gpt-image-2.5-sunburst"],
      ["gpt-image-1", "2026-10-23", "gpt-image-2.5-sunburst"],
      ["gpt-image-1-mini", "2026-12-01", "gpt-image-2.6-flare"],
      ["gpt-image-1.5", "2026-12-01", "gpt-image-2.6-sunburst"],
      ["gpt-image-1.5-2025-12-16", "2026-12-01", "gpt-image-2.6-sunburst"],
      ["chatgpt-image-latest", "2026-12-01", "gpt-image-2.6-sunburst"],
    ])
    expect(retired.map((m) => m.model_id).sort()).toEqual([...RETIRED].sort())
    for (const m of retired)
      expect(stageOn(catalogEntry(OPENAI_CATALOG, m.lifecycle?.replacement ?? "")?.lifecycle)).toBe("current")
  })

  test("the served models match the fake's table, each current with a consistent profile", () => {
    const served = OPENAI_CATALOG.filter((m) => stageOn(m.lifecycle) !== "retired")
    expect(served.map((m) => m.model_id)).toEqual(SERVED_IN_ORDER)
    expect([...SERVED_IN_ORDER].sort()).toEqual(Object.keys(SERVED).sort())
    for (const m of served) {
      expect(m.lifecycle?.stage).toBe("current")
      expect(m.style_profile).toBe(OPENAI_PROFILES[m.model_id])
      expect(m.style_profile?.lifecycle).toBe("current")
    }
    expect(served.at(-1)?.model_id).toBe(DEFAULT_MODEL)
  })

  test("per-model limits: transparency from 2.5 on, 15 ratios, 16 references, masks, png/jpeg/webp", () => {
    const served = OPENAI_CATALOG.filter((m) => stageOn(m.lifecycle) !== "retired")
    for (const m of served) {
      expect(m.supports_background).toBe(!m.model_id.startsWith("gpt-image-2-") && m.model_id !== "gpt-image-2")
      expect(m).toMatchObject({
        supported_aspect_ratios: [...FREE_SIZE_RATIOS],
        supported_qualities: ["standard", "hd"],
        supported_formats: ["png", "jpeg", "webp"],
        can_edit: true,
        supports_mask: true,
        supports_image_input: true,
        max_input_images: 16,
        max_resolution: 2560,
      })
    }
  })
})

describe("openai discovery: the service's list decides what is offered", () => {
  test("the served image models it lists, in catalog order, skipping other models", async () => {
    const caps = await openai().discover()
    expect(lastRequest(fake)).toMatchObject({ method: "GET", path: "/v1/models", authorized: true })
    expect(caps).toMatchObject({ provider_name: "openai", degraded: false, supports_background: true })
    expect(caps.models.map((m) => m.model_id)).toEqual(SERVED_IN_ORDER)
    expect(caps.models[0]).toEqual(OPENAI_CATALOG.find((m) => m.model_id === SERVED_IN_ORDER[0]))
  })

  test("only what the key lists; retired ids are never offered, even when still listed", async () => {
    fake.set({ models: ["whisper-1", "gpt-image-2.6-flare", "dall-e-3", "gpt-image-1.5", "chatgpt-image-latest"] })
    expect(await ids()).toEqual(["gpt-image-2.6-flare"])
    fake.set({ models: ["gpt-5.1"] })
    expect(await openai().discover()).toMatchObject({ models: [], degraded: false })
  })

  test("a listed GPT Image model the catalog does not know is offered first, described conservatively", async () => {
    fake.set({
      models: ["gpt-image-2", "gpt-image-3", "gpt-image-2.6-flare-2027-01-15", "gpt-image-1-2025-04-15", "gpt-6"],
    })
    const caps = await openai().discover()
    expect(caps.models.map((m) => m.model_id)).toEqual(["gpt-image-3", "gpt-image-2.6-flare-2027-01-15", "gpt-image-2"])
    const [unknown, snapshot] = caps.models
    expect(unknown).toMatchObject({
      supported_aspect_ratios: ["1:1", "3:2", "2:3"],
      supports_background: false,
      max_input_images: 16,
      max_resolution: 1536,
    })
    expect(unknown?.style_profile?.label).toBe("OpenAI gpt-image-3 (not in this server's catalog)")
    expect(snapshot).toMatchObject({ supported_aspect_ratios: [...FREE_SIZE_RATIOS], supports_background: true })
    expect(snapshot?.style_profile?.label).toBe("OpenAI GPT Image 2.6 Flare (snapshot 2027-01-15)")
  })

  test("a shutdown_date from the service wins: ahead, the model is deprecated; past, it is dropped", () => {
    const models = offeredModels(
      [
        { id: "gpt-image-2", shutdown_date: "2027-04-21" },
        { id: "gpt-image-2.5-flare", shutdown_date: "2026-11-30" },
        { id: "gpt-image-2.6-flare", shutdown_date: null },
      ],
      "2026-12-02",
    )
    expect(models.map((m) => m.model_id)).toEqual(["gpt-image-2", "gpt-image-2.6-flare"])
    expect(models[0]?.lifecycle).toEqual({ stage: "deprecated", since: "2026-04-21", shutdown: "2027-04-21" })
    expect(models[0]?.style_profile).toMatchObject({
      lifecycle: "deprecated",
      deprecation_note: "OpenAI shuts it down on 2027-04-21.",
    })
    expect(OPENAI_PROFILES["gpt-image-2"]?.lifecycle).toBe("current")
  })

  test("the fake's shutdown_date reaches discovery", async () => {
    fake.set({ models: ["gpt-image-2"], shutdownDates: { "gpt-image-2": "2099-01-01" } })
    const [model] = (await openai().discover()).models
    expect(model?.lifecycle?.shutdown).toBe("2099-01-01")
  })

  test("any failure degrades instead of throwing", async () => {
    fake.set({ error: OPENAI_ERRORS.server })
    expect(await openai().discover()).toMatchObject({ models: [], degraded: true, provider_name: "openai" })
    expect(await openai({ baseUrl: await closedPortUrl() }).discover()).toMatchObject({ models: [], degraded: true })
    fake.set({ error: null })
    expect(await openai({ apiKey: "sk-wrong-key-00000000" }).discover()).toMatchObject({ degraded: true })
  })
})

describe("openai doctor: the default model must be listed", () => {
  const check = (o: Partial<OpenAIOptions> = {}) => checkDefaultModel(openai(o), AbortSignal.timeout(5000))

  test("the definition's doctor runs this check", () => {
    expect(openaiDefinition.doctor.checks).toBeFunction()
  })

  test("a listed default passes", async () => {
    expect(await check()).toEqual([
      { ok: true, label: "openai default model", detail: "gpt-image-2.6-sunburst (listed by the service)" },
    ])
  })

  test("a configured model the service does not list fails, naming it and the listed ones", async () => {
    fake.set({ models: ["gpt-image-2", "gpt-image-2.6-flare", "whisper-1"] })
    expect(await check({ model: "gpt-image-2.5-sunburst" })).toEqual([
      {
        ok: false,
        label: "openai default model",
        detail:
          "'gpt-image-2.5-sunburst' is not listed by the OpenAI API for this key. Listed image models: gpt-image-2, gpt-image-2.6-flare.",
        fix: "Set IMAGE_GENERATION_MCP_OPENAI_MODEL to one of the listed models.",
      },
    ])
  })

  test("a retired configured model fails with its replacement; the built-in default is checked too", async () => {
    const [retired] = await check({ model: "gpt-image-1.5" })
    expect(retired?.ok).toBe(false)
    expect(retired?.detail).toContain("Use 'gpt-image-2.6-sunburst' instead.")
    fake.set({ models: ["gpt-image-2"] })
    const [builtIn] = await check()
    expect(builtIn).toMatchObject({ ok: false })
    expect(builtIn?.detail).toStartWith("'gpt-image-2.6-sunburst' is not listed")
  })

  test("when discovery fails, the reachability check speaks and this one stays silent", async () => {
    fake.set({ error: OPENAI_ERRORS.server })
    expect(await check()).toEqual([])
  })
})
