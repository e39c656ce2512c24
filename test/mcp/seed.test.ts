import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { INT32_MAX, UINT32_MAX } from "@/providers/types"
import { startFakeGemini } from "../fixture/fake-gemini"
import { fakeOpenAI } from "../fixture/fake-openai"
import { fakeSdWebui } from "../fixture/fake-sd-webui"
import { connect, type McpTestEnv } from "../helpers/mcp"
import { startServices } from "../helpers/services"

const P = "IMAGE_GENERATION_MCP_"

async function generate(env: McpTestEnv, args: Record<string, unknown>): Promise<string> {
  const result = await env.call("generate_image", args)
  expect(result.isError).toBeFalsy()
  const { image_id } = JSON.parse(env.text(result))
  await env.services.jobs.idle()
  const status = JSON.parse(env.text(await env.call("check_generation_status", { image_id })))
  expect(status).toEqual({ status: "completed", image_id })
  return image_id
}

async function sidecar(env: McpTestEnv, id: string): Promise<Record<string, unknown>> {
  return JSON.parse(await env.readText(`image://${id}/metadata`))
}

async function shown(env: McpTestEnv, id: string): Promise<Record<string, unknown>> {
  const result = await env.call("show_image", { uri: `image://${id}/view` })
  return JSON.parse((result.content[1] as { text: string }).text)
}

/** Nothing was started or stored: no job rows, no images. */
async function expectNothingWritten(env: McpTestEnv): Promise<void> {
  expect(await env.services.jobs.listUnfinished()).toEqual([])
  expect(await env.services.images.count()).toBe(0)
  expect(JSON.parse(await env.readText("image://list"))).toEqual([])
}

describe("seed", () => {
  test("the same seed repeats an image, another seed changes it; the seed is in the metadata and show_image", async () => {
    await using env = await connect()
    const first = await generate(env, { prompt: "a fox", provider: "placeholder", seed: 42 })
    const again = await generate(env, { prompt: "a fox", provider: "placeholder", seed: 42 })
    const other = await generate(env, { prompt: "a fox", provider: "placeholder", seed: 43 })
    const bytes = async (id: string) => env.services.images.readOriginal(await env.services.images.require(id))
    expect(await bytes(again)).toEqual(await bytes(first))
    expect(await bytes(other)).not.toEqual(await bytes(first))
    const meta = await sidecar(env, first)
    expect(meta).toMatchObject({ seed: 42, batch_id: null, regenerated_from: null })
    expect(meta.provider_metadata).toMatchObject({ seed: 42 })
    expect(await shown(env, first)).toMatchObject({
      seed: 42,
      batch_id: null,
      batch_index: null,
      regenerated_from: null,
    })
  })

  test("the seed and the request travel with a scratch dir into a new database", async () => {
    await using first = await connect()
    const id = await generate(first, { prompt: "a fox", provider: "placeholder", seed: 42 })
    await using second = await startServices({
      env: { IMAGE_GENERATION_MCP_SCRATCH_DIR: join(first.dir.path, "images") },
    })
    expect(await second.services.images.get(id)).toMatchObject({
      seed: 42,
      batchId: null,
      request: { model: null, strength: null, references: [], mask: null },
    })
  })

  test("without a seed the placeholder keeps the prompt's colour and records none", async () => {
    await using env = await connect()
    const id = await generate(env, { prompt: "a fox", provider: "placeholder" })
    expect(await sidecar(env, id)).toMatchObject({ seed: null })
    expect((await sidecar(env, id)).provider_metadata).not.toHaveProperty("seed")
  })

  test.each([
    [-1, "seed must be a whole number from 0 to 9007199254740991; got -1."],
    [1.5, "seed must be a whole number from 0 to 9007199254740991; got 1.5."],
    [2 ** 53, "seed must be a whole number from 0 to 9007199254740991; got 9007199254740992."],
  ])("seed %p is refused with a clear error and nothing is started", async (seed, message) => {
    await using env = await connect()
    for (const tool of ["generate_image", "transform_image"]) {
      const args = tool === "generate_image" ? {} : { reference_images: ["aaaaaaaaaaaa"] }
      const result = await env.call(tool, { prompt: "x", provider: "placeholder", seed, ...args })
      expect(result.isError).toBe(true)
      expect(env.text(result)).toContain(message)
    }
    await expectNothingWritten(env)
  })

  test("a seed above what the model takes is refused naming its range", async () => {
    await using env = await connect()
    const result = await env.call("generate_image", { prompt: "x", provider: "placeholder", seed: UINT32_MAX + 1 })
    expect(env.text(result)).toBe(
      "seed 4294967296 is too large for model 'placeholder' of placeholder, which takes 0 to 4294967295.",
    )
    await expectNothingWritten(env)
  })

  test("OpenAI takes no seed: refused before any request, saying why and who can", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({ env: { [`${P}OPENAI_API_KEY`]: "sk-test", [`${P}OPENAI_BASE_URL`]: openai.url } })
    await env.call("list_providers")
    openai.requests.length = 0
    const result = await env.call("generate_image", { prompt: "a logo", provider: "openai", seed: 7 })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toBe(
      "Model 'gpt-image-2.6-sunburst' of openai takes no seed: OpenAI's Images API has no seed parameter, so a seed could not make the image repeatable. Leave seed unset, or use a provider whose models take one: placeholder.",
    )
    expect(openai.requests).toEqual([])
    await expectNothingWritten(env)
    const caps = JSON.parse(env.text(await env.call("list_providers"))).providers.openai.capabilities
    expect(caps.models.every((m: { supports_seed: boolean }) => m.supports_seed === false)).toBe(true)
  })

  test("auto with a seed prefers a provider whose models take one", async () => {
    await using openai = fakeOpenAI()
    await using env = await connect({ env: { [`${P}OPENAI_API_KEY`]: "sk-test", [`${P}OPENAI_BASE_URL`]: openai.url } })
    // "logo" ranks openai first; with a seed, the placeholder is the one able to honour it.
    const result = JSON.parse(env.text(await env.call("generate_image", { prompt: "a logo", seed: 3 })))
    expect(result.provider).toBe("placeholder")
    const plain = JSON.parse(env.text(await env.call("generate_image", { prompt: "a logo" })))
    expect(plain.provider).toBe("openai")
    await env.services.jobs.idle()
  })

  test("Gemini: the seed goes out in generationConfig; without one ours is sent and recorded", async () => {
    await using gemini = startFakeGemini()
    await using env = await connect({ env: { [`${P}GOOGLE_API_KEY`]: "g-test", [`${P}GEMINI_BASE_URL`]: gemini.url } })
    const given = await generate(env, { prompt: "a lighthouse", provider: "gemini", seed: 1234 })
    expect(gemini.requests.at(-1)?.body.generationConfig).toMatchObject({ seed: 1234 })
    expect(await sidecar(env, given)).toMatchObject({ seed: 1234 })
    const drawn = await generate(env, { prompt: "a lighthouse", provider: "gemini" })
    const sent = gemini.requests.at(-1)?.body.generationConfig?.seed
    expect(sent).toBeInteger()
    expect(sent).toBeLessThanOrEqual(INT32_MAX)
    expect(await sidecar(env, drawn)).toMatchObject({ seed: sent })
  })

  test("Gemini: a seed above its signed 32-bit range is refused before any request", async () => {
    await using gemini = startFakeGemini()
    await using env = await connect({ env: { [`${P}GOOGLE_API_KEY`]: "g-test", [`${P}GEMINI_BASE_URL`]: gemini.url } })
    await env.call("list_providers")
    const result = await env.call("generate_image", { prompt: "x", provider: "gemini", seed: INT32_MAX + 1 })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toBe(
      "seed 2147483648 is too large for model 'gemini-nano-banana-2.1' of gemini, which takes 0 to 2147483647.",
    )
    expect(gemini.requests).toEqual([])
    await expectNothingWritten(env)
  })

  test("SD WebUI: the seed is sent; without one the WebUI's own draw is recorded", async () => {
    await using webui = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: webui.url } })
    const given = await generate(env, { prompt: "a cat", provider: "sd_webui", seed: 99 })
    expect(webui.calls("/sdapi/v1/txt2img").at(-1)?.body).toMatchObject({ seed: 99 })
    expect(await sidecar(env, given)).toMatchObject({ seed: 99 })
    const drawn = await generate(env, { prompt: "a cat", provider: "sd_webui" })
    expect(webui.calls("/sdapi/v1/txt2img").at(-1)?.body).toMatchObject({ seed: -1 })
    const seed = (await sidecar(env, drawn)).seed
    expect(seed).toBeInteger()
    expect(seed).toBeGreaterThanOrEqual(0)
  })

  test("transform_image takes a seed and records it with the references", async () => {
    await using webui = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: webui.url } })
    const source = await generate(env, { prompt: "a cat", provider: "placeholder" })
    const result = await env.call("transform_image", {
      prompt: "a cat in a hat",
      reference_images: [source],
      provider: "sd_webui",
      seed: 5,
      strength: 0.4,
    })
    expect(result.isError).toBeFalsy()
    const { image_id } = JSON.parse(env.text(result))
    await env.services.jobs.idle()
    expect(webui.calls("/sdapi/v1/img2img").at(-1)?.body).toMatchObject({ seed: 5, denoising_strength: 0.4 })
    expect(await sidecar(env, image_id)).toMatchObject({
      seed: 5,
      source_image_ids: [source],
      request: { model: null, strength: 0.4, references: [source], mask: null },
    })
  })
})
