import { describe, expect, test } from "bun:test"
import { createFakeProvider, fakeModel } from "../fixture/fake-provider"
import { connect } from "../helpers/mcp"

const profile = (lifecycle: "current" | "legacy" | "deprecated", note?: string) => ({
  label: "x",
  style_hints: "x",
  incompatible_styles: "x",
  good_example: "x",
  bad_example: "x",
  lifecycle,
  ...(note && { deprecation_note: note }),
})

describe("list_providers", () => {
  test("always has refreshed_at, providers and a warnings array", async () => {
    await using env = await connect()
    const body = JSON.parse(env.text(await env.call("list_providers")))
    expect(body.refreshed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/)
    expect(body.warnings).toEqual([])
    expect(body.providers.placeholder).toMatchObject({ available: true, description: expect.stringContaining("solid") })
    const caps = body.providers.placeholder.capabilities
    expect(caps).toMatchObject({ provider_name: "placeholder", supports_background: true, degraded: false })
    expect(Object.keys(caps.models[0]).slice(0, 16)).toEqual([
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
    ])
  })

  test("warnings name every model that is not current, sorted, with its note", async () => {
    const vendor = createFakeProvider({
      name: "vendor",
      models: [
        fakeModel("new-model", { style_profile: profile("current") }),
        fakeModel("old-model", { style_profile: profile("legacy", "Superseded by new-model.") }),
        fakeModel("ancient", { style_profile: profile("deprecated", "Removal scheduled 2026-05-12.") }),
      ],
    })
    await using env = await connect({ deps: { extraProviders: [vendor] } })
    const body = JSON.parse(env.text(await env.call("list_providers")))
    expect(body.warnings).toEqual([
      "vendor:ancient — deprecated. Removal scheduled 2026-05-12.",
      "vendor:old-model — legacy. Superseded by new-model.",
    ])
    const info = JSON.parse(await env.readText("info://providers"))
    expect(info.warnings).toEqual(body.warnings)
  })

  test("a provider whose discovery fails is degraded; the others are unaffected", async () => {
    const broken = createFakeProvider({
      name: "broken",
      discover: async () => Promise.reject(new Error("connection refused")),
    })
    await using env = await connect({ deps: { extraProviders: [broken] } })
    const body = JSON.parse(env.text(await env.call("list_providers")))
    expect(body.providers.broken.capabilities).toMatchObject({ models: [], degraded: true })
    expect(body.providers.placeholder.capabilities.degraded).toBe(false)
    const started = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "broken" })))
    expect(started.status).toBe("generating")
  })

  test("a discovery error whose text holds a URL with a query string leaves the server working", async () => {
    const failing = createFakeProvider({
      name: "sdish",
      discover: async () => Promise.reject(new Error("GET http://sd:7860/sdapi/v1/sd-models?api_key=SECRET failed")),
    })
    await using env = await connect({ deps: { extraProviders: [failing] } })
    const listed = await env.call("list_providers")
    expect(listed.isError).toBeFalsy()
    expect(JSON.parse(env.text(listed)).providers.sdish.capabilities.degraded).toBe(true)
    const started = await env.call("generate_image", { prompt: "x", provider: "placeholder" })
    expect(started.isError).toBeFalsy()
  })

  test("force_refresh runs discovery again", async () => {
    const vendor = createFakeProvider({ name: "vendor" })
    await using env = await connect({ deps: { extraProviders: [vendor] } })
    await env.call("list_providers")
    expect(vendor.discoverCalls).toBe(1)
    await env.call("list_providers", { force_refresh: false })
    expect(vendor.discoverCalls).toBe(1)
    await env.call("list_providers", { force_refresh: true })
    expect(vendor.discoverCalls).toBe(2)
  })
})

describe("discovery isolation", () => {
  test("a provider whose discovery hangs does not hold up generations on another provider", async () => {
    const hung = createFakeProvider({ name: "hung", discover: () => new Promise(() => {}) })
    await using env = await connect({ deps: { extraProviders: [hung] } })
    const started = performance.now()
    const result = await env.call("generate_image", { prompt: "x", provider: "placeholder" })
    expect(JSON.parse(env.text(result)).status).toBe("generating")
    expect(performance.now() - started).toBeLessThan(1000)
  })

  test("a slow, older discovery cannot overwrite a newer refresh", async () => {
    let call = 0
    const late = Promise.withResolvers<void>()
    const flaky = createFakeProvider({
      name: "flaky",
      discover: async () => {
        call++
        if (call === 1) {
          await late.promise
          throw new Error("first attempt failed late")
        }
        return [fakeModel("fresh")]
      },
    })
    await using env = await connect({ deps: { extraProviders: [flaky] } })
    const first = env.services.providers.ready()
    const refreshed = JSON.parse(env.text(await env.call("list_providers", { force_refresh: true })))
    expect(refreshed.providers.flaky.capabilities.degraded).toBe(false)
    // Only now does the first discovery fail, after the refresh has finished.
    late.resolve()
    await first
    expect(call).toBe(2)
    const later = JSON.parse(env.text(await env.call("list_providers")))
    expect(later.providers.flaky.capabilities).toMatchObject({
      degraded: false,
      models: [expect.objectContaining({ model_id: "fresh" })],
    })
  })
})
