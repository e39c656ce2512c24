import { describe, expect, test } from "bun:test"
import { INTERNAL_FAILURE_MESSAGE } from "@/core/jobs/jobs"
import { ContentPolicyError, ProviderConnectionError, ProviderError } from "@/providers/errors"
import { pngBomb } from "../fixture/bombs"
import { createFakeProvider, fakeModel, gate } from "../fixture/fake-provider"
import { connect } from "../helpers/mcp"

describe("generate_image", () => {
  test("returns at once with a generating status, a 12-hex id and a resource link, and no image", async () => {
    await using env = await connect()
    const started = performance.now()
    const result = await env.call("generate_image", { prompt: "a lighthouse at dusk", provider: "placeholder" })
    expect(performance.now() - started).toBeLessThan(1000)
    expect(result.isError).toBeFalsy()
    const body = JSON.parse(env.text(result))
    expect(body.status).toBe("generating")
    expect(body.image_id).toMatch(/^[0-9a-f]{12}$/)
    expect(body.original_uri).toBe(`image://${body.image_id}/view`)
    expect(body.metadata_uri).toBe(`image://${body.image_id}/metadata`)
    expect(body.provider).toBe("placeholder")
    expect(body.prompt_style).toBeNull()
    expect(body.resource_template).toBe(
      `image://${body.image_id}/view{?format,width,height,quality,crop_x,crop_y,crop_w,crop_h,rotate,flip}`,
    )
    expect(body).not.toHaveProperty("thumbnail_size_bytes")
    expect(result.content.some((c) => c.type === "image")).toBe(false)
    const link = result.content.find((c) => c.type === "resource_link")
    expect(link).toMatchObject({ uri: body.original_uri, name: "Generated image (generating)" })
  })

  test("completes in the background; status and metadata follow", async () => {
    await using env = await connect()
    const { image_id } = JSON.parse(
      env.text(await env.call("generate_image", { prompt: "fox", provider: "placeholder" })),
    )
    await env.services.jobs.idle()
    const status = JSON.parse(env.text(await env.call("check_generation_status", { image_id })))
    expect(status).toEqual({ status: "completed", image_id })
    const meta = await env.client.readResource({ uri: `image://${image_id}/metadata` })
    const sidecar = JSON.parse(String((meta.contents[0] as { text: string }).text))
    expect(sidecar).toMatchObject({
      id: image_id,
      prompt: "fox",
      provider: "placeholder",
      original_dimensions: [256, 256],
    })
    expect(sidecar.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/)
    expect(sidecar.provider_metadata).toMatchObject({ quality: "placeholder", size: "256x256" })
    expect(Object.keys(sidecar)).toEqual([
      "id",
      "prompt",
      "negative_prompt",
      "provider",
      "aspect_ratio",
      "quality",
      "background",
      "content_type",
      "original_filename",
      "original_size_bytes",
      "original_dimensions",
      "provider_metadata",
      "created_at",
      "source_image_ids",
      "origin",
      "origin_source",
      "cost",
    ])
    // Added from the usage ledger; the placeholder runs locally, so it costs nothing.
    expect(sidecar.cost).toEqual({
      usd: 0,
      call_usd: 0,
      n: 1,
      billing: "charged",
      provider: "placeholder",
      model: "placeholder",
      size: null,
      quality: "standard",
    })
  })

  test("an unknown id is reported as unknown, not as an error", async () => {
    await using env = await connect()
    const result = await env.call("check_generation_status", { image_id: "nonexistent" })
    expect(result.isError).toBeFalsy()
    expect(JSON.parse(env.text(result))).toEqual({
      status: "unknown",
      image_id: "nonexistent",
      error: "No pending or completed image with this ID.",
    })
  })

  test("a running job reports progress; show_image answers that it is not ready", async () => {
    const hold = gate()
    const slow = createFakeProvider({
      name: "slow",
      generate: async (request, signal) => {
        await Promise.race([hold.promise, new Promise((_, reject) => signal.addEventListener("abort", reject))])
        return createFakeProvider().generate(request, { signal })
      },
    })
    await using env = await connect({ deps: { extraProviders: [slow] } })
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "slow" })))
    const status = JSON.parse(env.text(await env.call("check_generation_status", { image_id })))
    expect(status).toMatchObject({ status: "generating", image_id, progress: 0, progress_message: "" })
    expect(status.elapsed_seconds).toBeGreaterThanOrEqual(0)
    const shown = await env.call("show_image", { uri: `image://${image_id}/view` })
    expect(shown.isError).toBeFalsy()
    expect(shown.content).toHaveLength(1)
    expect(JSON.parse(env.text(shown))).toEqual({
      status: "generating",
      image_id,
      error: "Image not ready. Use check_generation_status(image_id) to poll.",
    })
    const list = JSON.parse(await env.readText("image://list"))
    expect(list).toEqual([
      expect.objectContaining({ image_id, status: "generating", provider: "slow", progress: 0, progress_message: "" }),
    ])
    hold.resolve()
    await env.services.jobs.idle()
    expect(JSON.parse(env.text(await env.call("check_generation_status", { image_id }))).status).toBe("completed")
  })

  test.each([
    [
      new ContentPolicyError("fake", "blocked"),
      "Content policy rejected the prompt. Try rephrasing or use a different provider.",
    ],
    [
      new ProviderConnectionError("fake", "Cannot connect to Fake at http://127.0.0.1:9: ECONNREFUSED."),
      "[fake] Cannot connect to Fake at http://127.0.0.1:9: ECONNREFUSED.",
    ],
    [new ProviderError("fake", "API error (HTTP 500): boom"), "[fake] API error (HTTP 500): boom"],
    [new TypeError("cannot read 'x' of undefined at /home/me/.keys"), INTERNAL_FAILURE_MESSAGE],
  ])("a failed job is reported once with its message, then unknown (%p)", async (error, message) => {
    const failing = createFakeProvider({ generate: async () => Promise.reject(error) })
    await using env = await connect({ deps: { extraProviders: [failing] } })
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "fake" })))
    await env.services.jobs.idle()
    const shown = JSON.parse(env.text(await env.call("show_image", { uri: `image://${image_id}/view` })))
    expect(shown.status).toBe("failed")
    expect(JSON.parse(env.text(await env.call("check_generation_status", { image_id })))).toEqual({
      status: "failed",
      image_id,
      error: message,
    })
    expect(JSON.parse(env.text(await env.call("check_generation_status", { image_id }))).status).toBe("unknown")
  })
})

describe("provider results are checked like any outside bytes", () => {
  test.each([
    ["random bytes", () => crypto.getRandomValues(new Uint8Array(256)), "[server] The image is not a decodable image."],
    [
      "a GIF",
      () => Buffer.from("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==", "base64"),
      "[server] The image is GIF; only PNG, JPEG and WebP images are stored.",
    ],
    [
      "a bomb header",
      () => pngBomb(),
      "[server] The image declares 100000x100000 (10000000000 pixels), more than the 40000000-pixel limit (IMAGE_GENERATION_MCP_MAX_INPUT_PIXELS).",
    ],
  ])("%s fail the job with a clear message and store nothing", async (_label, bytes, message) => {
    const bad = createFakeProvider({
      name: "bad",
      generate: async () => ({ data: bytes(), contentType: "image/png", metadata: {} }),
    })
    await using env = await connect({ deps: { extraProviders: [bad] } })
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "bad" })))
    await env.services.jobs.idle()
    expect(JSON.parse(env.text(await env.call("check_generation_status", { image_id })))).toEqual({
      status: "failed",
      image_id,
      error: message,
    })
    expect(await env.services.images.count()).toBe(0)
  })
})

describe("generate_image input errors", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "aspect ratio",
      { aspect_ratio: "4:3" },
      "Unsupported aspect_ratio '4:3' for provider 'placeholder' (model 'placeholder'). Supported: 1:1, 16:9, 9:16, 3:2, 2:3",
    ],
    ["quality", { quality: "ultra" }, "Unsupported quality 'ultra'. Supported: ['standard', 'hd']"],
    ["background", { background: "clear" }, "Unsupported background 'clear'. Supported: opaque, transparent"],
    ["empty prompt", { prompt: "   " }, "prompt must not be empty."],
    [
      "long prompt",
      { prompt: "a".repeat(32_001) },
      "prompt is 32001 characters; the limit is 32000. Shorten it and try again.",
    ],
    [
      "unknown provider",
      { provider: "midjourney" },
      "[midjourney] Provider 'midjourney' not available. Available: placeholder",
    ],
  ]
  test.each(cases)("%s is refused with a clear message and no job", async (_label, args, message) => {
    await using env = await connect()
    const result = await env.call("generate_image", { prompt: "a cat", provider: "placeholder", ...args })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toBe(message)
    expect(await env.services.jobs.listUnfinished()).toEqual([])
    expect(await env.services.images.count()).toBe(0)
  })

  test("a misspelt argument is refused rather than ignored", async () => {
    await using env = await connect()
    const result = await env.call("generate_image", { prompt: "a cat", aspectRatio: "16:9" })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toContain("aspectRatio")
    expect(await env.services.jobs.listUnfinished()).toEqual([])
  })

  test("a model the provider does not offer is refused with the ones it does", async () => {
    await using env = await connect()
    const result = await env.call("generate_image", {
      prompt: "a cat",
      provider: "placeholder",
      model: "dreamshaper_8",
    })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toBe(
      "Model 'dreamshaper_8' is not offered by provider 'placeholder'. Available: placeholder.",
    )
  })

  test("quality and background are checked against the model that will run", async () => {
    await using env = await connect()
    const hd = await env.call("generate_image", { prompt: "a cat", provider: "placeholder", quality: "hd" })
    expect(env.text(hd)).toBe(
      "Unsupported quality 'hd' for provider 'placeholder' (model 'placeholder'). Supported: standard",
    )
    const clear = await env.call("generate_image", {
      prompt: "a cat",
      provider: "placeholder",
      background: "transparent",
    })
    expect(JSON.parse(env.text(clear)).status).toBe("generating")
  })

  test("a wrongly typed argument names the field", async () => {
    await using env = await connect()
    const result = await env.call("generate_image", { prompt: 42 })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toContain("prompt")
  })

  test("ratios follow the resolved provider's models: 4:3 works where the model accepts it", async () => {
    const wide = createFakeProvider({
      name: "wide",
      models: [fakeModel("w", { supported_aspect_ratios: ["1:1", "4:3", "21:9"] })],
    })
    await using env = await connect({ deps: { extraProviders: [wide] } })
    const ok = await env.call("generate_image", { prompt: "a cat", provider: "wide", aspect_ratio: "21:9" })
    expect(ok.isError).toBeFalsy()
    const auto = JSON.parse(env.text(await env.call("generate_image", { prompt: "a cat", aspect_ratio: "4:3" })))
    expect(auto.provider).toBe("wide")
    await env.services.jobs.idle()
    expect(wide.requests.map((r) => r.aspectRatio)).toEqual(["21:9", "4:3"])
  })
})

describe("provider defaults and cost confirmation", () => {
  test("an unset provider uses IMAGE_GENERATION_MCP_DEFAULT_PROVIDER", async () => {
    const other = createFakeProvider({ name: "other" })
    await using env = await connect({
      env: { IMAGE_GENERATION_MCP_DEFAULT_PROVIDER: "other" },
      deps: { extraProviders: [other] },
    })
    const body = JSON.parse(env.text(await env.call("generate_image", { prompt: "a quick test" })))
    expect(body.provider).toBe("other")
  })

  test("a paid provider asks a capable client; a decline starts nothing", async () => {
    const paid = createFakeProvider({ name: "paid" })
    await using env = await connect({
      env: { IMAGE_GENERATION_MCP_PAID_PROVIDERS: "paid" },
      deps: { extraProviders: [paid] },
      capabilities: { elicitation: {} },
    })
    const { ElicitRequestSchema } = await import("@modelcontextprotocol/sdk/types.js")
    const asked: string[] = []
    let answer: "accept" | "decline" | "cancel" = "decline"
    env.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(String(request.params.message))
      return { action: answer }
    })
    const declined = await env.call("generate_image", { prompt: "x", provider: "paid" })
    expect(env.text(declined)).toBe("Image generation cancelled — paid was not confirmed.")
    expect(declined.isError).toBeFalsy()
    answer = "cancel"
    expect(env.text(await env.call("generate_image", { prompt: "x", provider: "paid" }))).toContain("not confirmed")
    await env.services.jobs.idle()
    expect(paid.requests).toEqual([])
    expect(await env.services.images.count()).toBe(0)
    answer = "accept"
    const accepted = JSON.parse(
      env.text(await env.call("generate_image", { prompt: "x", provider: "paid", model: "paid-model" })),
    )
    expect(accepted.status).toBe("generating")
    const unknown = "Estimated cost: unknown (no list price for this model and size). No budget is set."
    expect(asked).toEqual([
      `This will use paid, which costs money. ${unknown} Proceed?`,
      `This will use paid, which costs money. ${unknown} Proceed?`,
      `This will use paid (paid-model), which costs money. ${unknown} Proceed?`,
    ])
    const free = await env.call("generate_image", { prompt: "x", provider: "placeholder" })
    expect(JSON.parse(env.text(free)).status).toBe("generating")
    expect(asked).toHaveLength(3)
  })

  test("a client without elicitation proceeds without being asked", async () => {
    const paid = createFakeProvider({ name: "paid" })
    await using env = await connect({
      env: { IMAGE_GENERATION_MCP_PAID_PROVIDERS: "paid" },
      deps: { extraProviders: [paid] },
    })
    const body = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "paid" })))
    expect(body.status).toBe("generating")
  })
})
