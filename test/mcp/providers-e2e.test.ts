import { describe, expect, test } from "bun:test"
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { SERVED_DEC_2026, startFakeGemini } from "../fixture/fake-gemini"
import { fakeOpenAI, OPENAI_ERRORS } from "../fixture/fake-openai"
import { closedPortUrl, fakeSdWebui } from "../fixture/fake-sd-webui"
import { connect } from "../helpers/mcp"
import { waitFor } from "../helpers/wait"

const P = "IMAGE_GENERATION_MCP_"
/** A fake upstream's answer delay that outlasts any test: only a cancellation ends such a request. */
const FOREVER_MS = 10 * 60_000

describe("the real providers, configured from the environment and served by fakes", () => {
  test("list_providers: registration order, lifecycle warnings with notes, sorted; a failing provider is degraded", async () => {
    await using openai = fakeOpenAI()
    openai.set({
      models: ["dall-e-3", "gpt-image-1", "gpt-image-2", "gpt-image-2.6-flare"],
      shutdownDates: { "gpt-image-2": "2027-04-21" },
    })
    await using gemini = startFakeGemini()
    gemini.set({ served: [...SERVED_DEC_2026, "gemini-3.1-flash-image"] })
    await using env = await connect({
      env: {
        [`${P}OPENAI_API_KEY`]: "sk-test",
        [`${P}OPENAI_BASE_URL`]: openai.url,
        [`${P}GOOGLE_API_KEY`]: "g-test",
        [`${P}GEMINI_BASE_URL`]: gemini.url,
        [`${P}SD_WEBUI_HOST`]: await closedPortUrl(),
      },
    })
    const body = JSON.parse(env.text(await env.call("list_providers")))
    expect(Object.keys(body.providers)).toEqual(["placeholder", "openai", "gemini", "sd_webui"])
    expect(body.providers.sd_webui.capabilities).toMatchObject({ degraded: true, models: [] })
    // Retired models are never offered, even when the service still lists them; a shutdown date it gives is a warning.
    expect(body.providers.openai.capabilities.models.map((m: { model_id: string }) => m.model_id)).toEqual([
      "gpt-image-2",
      "gpt-image-2.6-flare",
    ])
    expect(body.warnings).toEqual([...body.warnings].sort())
    expect(body.warnings).toHaveLength(2)
    expect(body.warnings[0]).toStartWith("gemini:gemini-3.1-flash-image — deprecated. ")
    expect(body.warnings[0]).toContain("gemini-nano-banana-2.1")
    expect(body.warnings[1]).toBe("openai:gpt-image-2 — deprecated. OpenAI shuts it down on 2027-04-21.")
    for (const name of ["openai", "gemini", "sd_webui"])
      expect(body.providers[name].description.length).toBeGreaterThan(40)
    const listed = openai.requests.filter((r) => r.path === "/v1/models").length
    await env.call("list_providers", { force_refresh: true })
    expect(openai.requests.filter((r) => r.path === "/v1/models").length).toBe(listed + 1)
  })

  test("a generation through OpenAI completes, and show_image reports its model", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({ env: { [`${P}OPENAI_API_KEY`]: "sk-test", [`${P}OPENAI_BASE_URL`]: openai.url } })
    const started = JSON.parse(
      env.text(await env.call("generate_image", { prompt: "a logo", provider: "openai", aspect_ratio: "3:2" })),
    )
    await env.services.jobs.idle()
    expect(JSON.parse(env.text(await env.call("check_generation_status", { image_id: started.image_id }))).status).toBe(
      "completed",
    )
    const shown = await env.call("show_image", { uri: started.original_uri })
    expect(JSON.parse((shown.content[1] as { text: string }).text)).toMatchObject({
      provider: "openai",
      model: "gpt-image-2.6-sunburst",
      dimensions: [1536, 1024],
    })
    expect(openai.requests.find((r) => r.path === "/v1/images/generations")?.json).toMatchObject({ size: "1536x1024" })
  })

  test("a content-policy refusal reaches the user as the friendly sentence", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({ env: { [`${P}OPENAI_API_KEY`]: "sk-test", [`${P}OPENAI_BASE_URL`]: openai.url } })
    await env.call("list_providers")
    openai.set({ error: OPENAI_ERRORS.moderationBlocked })
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "openai" })))
    await env.services.jobs.idle()
    expect(JSON.parse(env.text(await env.call("check_generation_status", { image_id })))).toEqual({
      status: "failed",
      image_id,
      error: "Content policy rejected the prompt. Try rephrasing or use a different provider.",
    })
  })

  test("openai is paid by default: a client that can be asked is asked", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({
      env: {
        [`${P}OPENAI_API_KEY`]: "sk-test",
        [`${P}OPENAI_BASE_URL`]: openai.url,
        [`${P}PAID_PROVIDERS`]: "openai,gemini",
      },
      capabilities: { elicitation: {} },
    })
    env.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: "decline" }))
    const result = await env.call("generate_image", { prompt: "x", provider: "openai" })
    expect(env.text(result)).toBe("Image generation cancelled — openai was not confirmed.")
    expect(openai.requests.filter((r) => r.path.startsWith("/v1/images"))).toEqual([])
  })

  test("cancel_generation aborts the HTTP request to the provider", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({ env: { [`${P}OPENAI_API_KEY`]: "sk-test", [`${P}OPENAI_BASE_URL`]: openai.url } })
    await env.call("list_providers")
    openai.set({ delayMs: FOREVER_MS })
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "openai" })))
    await waitFor(() => openai.requests.some((r) => r.path === "/v1/images/generations"), "the OpenAI request")
    expect(JSON.parse(env.text(await env.call("cancel_generation", { image_id }))).status).toBe("cancelled")
    // The upstream would answer only after the test's time limit: the request ends because it was aborted.
    await waitFor(
      () => openai.requests.some((r) => r.path === "/v1/images/generations" && r.disconnected),
      "the OpenAI request to be aborted",
    )
    await env.services.jobs.idle()
    expect(await env.services.images.count()).toBe(0)
  })

  test("SD WebUI progress shows in check_generation_status and image://list while the job runs", async () => {
    await using sd = fakeSdWebui({}, { holdAtStep: 15 })
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: sd.url, [`${P}SD_WEBUI_MODEL`]: "dreamshaper_8" } })
    const { image_id } = JSON.parse(
      env.text(await env.call("generate_image", { prompt: "a portrait photo", provider: "sd_webui" })),
    )
    await waitFor(
      async () => JSON.parse(env.text(await env.call("check_generation_status", { image_id }))).progress === 0.5,
      "progress from SD WebUI",
    )
    const status = JSON.parse(env.text(await env.call("check_generation_status", { image_id })))
    expect(status).toMatchObject({
      status: "generating",
      progress: 0.5,
      progress_message: expect.stringMatching(/^Step 15\/30/),
    })
    const list = JSON.parse(await env.readText("image://list"))
    expect(list[0]).toMatchObject({
      image_id,
      status: "generating",
      progress: 0.5,
      progress_message: expect.stringMatching(/^Step 15\/30/),
    })
    await env.call("cancel_generation", { image_id })
    await env.services.jobs.idle()
  })

  test("auto routing prefers the providers of the pinned rules", async () => {
    await using openai = fakeOpenAI()
    await using gemini = startFakeGemini()
    await using sd = fakeSdWebui()
    await using env = await connect({
      env: {
        [`${P}OPENAI_API_KEY`]: "sk-test",
        [`${P}OPENAI_BASE_URL`]: openai.url,
        [`${P}GOOGLE_API_KEY`]: "g-test",
        [`${P}GEMINI_BASE_URL`]: gemini.url,
        [`${P}SD_WEBUI_HOST`]: sd.url,
      },
    })
    const pick = async (prompt: string, extra: Record<string, unknown> = {}) =>
      JSON.parse(env.text(await env.call("generate_image", { prompt, ...extra }))).provider
    expect(await pick("professional logo design")).toBe("openai")
    expect(await pick("realistic photo of a harbour")).toBe("sd_webui")
    expect(await pick("a draft layout for a flyer")).toBe("gemini")
    expect(await pick("quick test")).toBe("placeholder")
    expect(await pick("realistic photo portrait", { background: "transparent" })).toBe("openai")
    expect(await pick("a cinematic banner-free vista", { aspect_ratio: "4:1" })).toBe("gemini")
    await env.services.jobs.idle()
  })

  test("transform_image sends gallery images to OpenAI as edit uploads and to Gemini as inline parts", async () => {
    await using openai = fakeOpenAI()
    await using gemini = startFakeGemini()
    await using env = await connect({
      env: {
        [`${P}OPENAI_API_KEY`]: "sk-test",
        [`${P}OPENAI_BASE_URL`]: openai.url,
        [`${P}GOOGLE_API_KEY`]: "g-test",
        [`${P}GEMINI_BASE_URL`]: gemini.url,
      },
    })
    const { addImage } = await import("../helpers/gallery")
    const { quadrantPng } = await import("../fixture/images")
    const first = await addImage(env.services, quadrantPng(32, 32))
    const second = await addImage(env.services, quadrantPng(48, 32))
    // A mask at twice the first reference's size is scaled to it (the edits endpoint takes the same size only).
    const mask = await addImage(env.services, quadrantPng(64, 64))
    const viaOpenAI = JSON.parse(
      env.text(
        await env.call("transform_image", {
          prompt: "put a hat on it",
          reference_images: [first.id, second.id],
          mask: mask.id,
        }),
      ),
    )
    expect(viaOpenAI).toMatchObject({ provider: "openai", source_image_ids: [first.id, second.id, mask.id] })
    const viaGemini = JSON.parse(
      env.text(await env.call("transform_image", { prompt: "blend", reference_images: [first.id, second.id] })),
    )
    expect(viaGemini.provider).toBe("gemini")
    await env.services.jobs.idle()
    const edit = openai.requests.find((r) => r.path === "/v1/images/edits")
    expect(edit?.form?.files.map((f) => [f.field, f.name])).toEqual(
      expect.arrayContaining([
        ["image[]", "reference_0.png"],
        ["image[]", "reference_1.png"],
        ["mask", "mask.png"],
      ]),
    )
    const sentMask = edit?.form?.files.find((f) => f.field === "mask")?.data ?? new Uint8Array()
    expect(await new Bun.Image(sentMask).metadata()).toEqual({ width: 32, height: 32, format: "png" })
    const parts = gemini.requests.at(-1)?.body.contents?.[0]?.parts ?? []
    expect(parts.filter((p: { inlineData?: unknown }) => p.inlineData)).toHaveLength(2)
    for (const started of [viaOpenAI, viaGemini]) {
      expect(
        JSON.parse(env.text(await env.call("check_generation_status", { image_id: started.image_id }))).status,
      ).toBe("completed")
    }
  })

  test("model fit with real model tables: transparency moves to a model that can; an explicit model that cannot is refused", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({
      env: {
        [`${P}OPENAI_API_KEY`]: "sk-test",
        [`${P}OPENAI_BASE_URL`]: openai.url,
        [`${P}OPENAI_MODEL`]: "gpt-image-2",
      },
    })
    const clear = await env.call("generate_image", {
      prompt: "a sticker",
      provider: "openai",
      background: "transparent",
    })
    expect(JSON.parse(env.text(clear)).status).toBe("generating")
    await env.services.jobs.idle()
    const sent = openai.requests.find((r) => r.path === "/v1/images/generations")?.json
    expect(sent).toMatchObject({ model: "gpt-image-2.6-sunburst", background: "transparent" })
    const refused = await env.call("generate_image", {
      prompt: "a sticker",
      provider: "openai",
      model: "gpt-image-2",
      background: "transparent",
    })
    expect(env.text(refused)).toBe(
      "Model 'gpt-image-2' of openai cannot make transparent backgrounds. Models of openai that can: gpt-image-2.5-flare-2026-09-08, gpt-image-2.5-flare, gpt-image-2.5-sunburst-2026-09-08, gpt-image-2.5-sunburst, gpt-image-2.6-flare, gpt-image-2.6-sunburst.",
    )
    const retired = await env.call("generate_image", { prompt: "x", provider: "openai", model: "dall-e-3" })
    expect(env.text(retired)).toBe(
      "Model 'dall-e-3' was retired by its vendor on 2026-05-12 and can no longer be used. Use 'gpt-image-2.5-sunburst' instead. (provider 'openai')",
    )
    const wide = await env.call("generate_image", { prompt: "x", provider: "openai", aspect_ratio: "21:9" })
    expect(JSON.parse(env.text(wide)).status).toBe("generating")
    const tall = await env.call("generate_image", { prompt: "x", provider: "openai", aspect_ratio: "4:1" })
    expect(env.text(tall)).toContain("Unsupported aspect_ratio '4:1' for provider 'openai' (model 'gpt-image-2').")
    await env.services.jobs.idle()
    const sizes = openai.requests.filter((r) => r.path === "/v1/images/generations").map((r) => r.json?.size)
    expect(sizes).toEqual(["1024x1024", "1456x624"])
  })
})
