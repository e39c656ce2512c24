import { describe, expect, test } from "bun:test"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { ProviderError } from "@/providers/errors"
import { solidPng } from "@/providers/solid-png"
import { createFakeProvider } from "../fixture/fake-provider"
import { fakeSdWebui } from "../fixture/fake-sd-webui"
import { connect, type McpTestEnv } from "../helpers/mcp"

const P = "IMAGE_GENERATION_MCP_"

const body = (env: McpTestEnv, result: CallToolResult) => JSON.parse(env.text(result))
const sidecar = async (env: McpTestEnv, id: string) => JSON.parse(await env.readText(`image://${id}/metadata`))
const bytes = async (env: McpTestEnv, id: string) =>
  env.services.images.readOriginal(await env.services.images.require(id))

async function made(env: McpTestEnv, tool: string, args: Record<string, unknown>): Promise<string> {
  const result = await env.call(tool, args)
  expect(result.isError).toBeFalsy()
  const { image_id } = body(env, result)
  await env.services.jobs.idle()
  expect((await env.services.images.get(image_id))?.id).toBe(image_id)
  return image_id
}

/** What a refused call must leave as it was: every job and every image. */
async function snapshot(env: McpTestEnv) {
  return {
    jobs: (await env.services.jobs.listUnfinished()).map((j) => j.id),
    images: (await env.services.images.list()).map((i) => i.id),
  }
}

describe("regenerate_image (docs/decisions.md#regenerate)", () => {
  test("the same generation again: same seed, same picture, a new id that records where it came from", async () => {
    await using env = await connect()
    const original = await made(env, "generate_image", { prompt: "a fox", provider: "placeholder", seed: 9 })
    const result = await env.call("regenerate_image", { image_id: original })
    const started = body(env, result)
    expect(started).toMatchObject({ status: "generating", provider: "placeholder", regenerated_from: original })
    expect(result.content[1]).toMatchObject({ type: "resource_link", name: "Regenerated image (generating)" })
    await env.services.jobs.idle()
    expect(started.image_id).not.toBe(original)
    expect(await bytes(env, started.image_id)).toEqual(await bytes(env, original))
    expect(await sidecar(env, started.image_id)).toMatchObject({ seed: 9, regenerated_from: original, prompt: "a fox" })
    const shown = await env.call("show_image", { uri: `image://${started.image_id}/view` })
    expect(JSON.parse((shown.content[1] as { text: string }).text)).toMatchObject({ regenerated_from: original })
  })

  test("changes apply on top of the stored arguments; seed null and n make variations", async () => {
    await using env = await connect()
    const original = await made(env, "generate_image", {
      prompt: "a fox",
      provider: "placeholder",
      seed: 9,
      aspect_ratio: "16:9",
      negative_prompt: "rain",
    })
    const wider = await made(env, "regenerate_image", { image_id: original, changes: { prompt: "a red fox" } })
    expect(await sidecar(env, wider)).toMatchObject({
      prompt: "a red fox",
      seed: 9,
      aspect_ratio: "16:9",
      negative_prompt: "rain",
      regenerated_from: original,
    })
    const variations = body(
      env,
      await env.call("regenerate_image", { image_id: original, changes: { seed: null, n: 3 } }),
    )
    await env.services.jobs.idle()
    expect(variations.image_ids).toHaveLength(3)
    const seeds = []
    for (const id of variations.image_ids) {
      const meta = await sidecar(env, id)
      expect(meta).toMatchObject({ regenerated_from: original, batch_id: variations.batch_id, prompt: "a fox" })
      seeds.push(meta.seed)
    }
    expect(new Set(seeds).size).toBe(3)
  })

  test("a transform result is rerun with its references and strength", async () => {
    await using webui = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: webui.url } })
    const source = await made(env, "generate_image", { prompt: "cat", provider: "placeholder" })
    const transformed = await made(env, "transform_image", {
      prompt: "cat in a hat",
      reference_images: [source],
      provider: "sd_webui",
      strength: 0.3,
    })
    const usedSeed = (await sidecar(env, transformed)).seed
    const again = body(env, await env.call("regenerate_image", { image_id: transformed }))
    expect(again).toMatchObject({ source_image_ids: [source], regenerated_from: transformed })
    await env.services.jobs.idle()
    const jobs = webui.calls("/sdapi/v1/img2img")
    expect(jobs).toHaveLength(2)
    expect(jobs[1]?.body).toMatchObject({ prompt: "cat in a hat", denoising_strength: 0.3, seed: usedSeed })
    expect(await sidecar(env, again.image_id)).toMatchObject({
      source_image_ids: [source],
      request: { strength: 0.3, references: [source] },
    })
  })

  test("a failed generation can be run again, and so can a cancelled one", async () => {
    let fail = true
    const flaky = createFakeProvider({
      name: "flaky",
      generate: async () => {
        if (fail) throw new ProviderError("flaky", "API error (HTTP 503): busy", { kind: "upstream_refused" })
        return { data: solidPng(8, 8, [1, 2, 3]), contentType: "image/png", metadata: {} }
      },
    })
    await using env = await connect({ deps: { extraProviders: [flaky] } })
    const failed = body(env, await env.call("generate_image", { prompt: "x", provider: "flaky", aspect_ratio: "3:2" }))
    await env.services.jobs.idle()
    expect(body(env, await env.call("check_generation_status", { image_id: failed.image_id })).status).toBe("failed")
    fail = false
    const retried = await made(env, "regenerate_image", { image_id: failed.image_id })
    expect(await sidecar(env, retried)).toMatchObject({
      prompt: "x",
      aspect_ratio: "3:2",
      regenerated_from: failed.image_id,
    })

    const hang = createFakeProvider({ name: "hang", generate: () => new Promise(() => {}) })
    await using other = await connect({ deps: { extraProviders: [hang] } })
    const stopped = body(other, await other.call("generate_image", { prompt: "y", provider: "hang" }))
    await other.call("cancel_generation", { image_id: stopped.image_id })
    await other.services.jobs.idle()
    const rerun = await made(other, "regenerate_image", {
      image_id: stopped.image_id,
      changes: { provider: "placeholder" },
    })
    expect(await sidecar(other, rerun)).toMatchObject({
      prompt: "y",
      provider: "placeholder",
      regenerated_from: stopped.image_id,
    })
  })

  test("changing the provider drops the stored seed; a seed in changes is still checked", async () => {
    await using webui = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: webui.url } })
    const original = await made(env, "generate_image", { prompt: "owl", provider: "sd_webui", seed: 123 })
    const moved = await made(env, "regenerate_image", { image_id: original, changes: { provider: "placeholder" } })
    expect(await sidecar(env, moved)).toMatchObject({ provider: "placeholder", seed: null })
  })

  test.each([
    [
      { colour: "red" },
      "changes names unknown arguments: colour. It takes: prompt, provider, negative_prompt, aspect_ratio, quality, background, model, seed, n, reference_images, strength, mask.",
    ],
    [{ prompt: 42 }, "changes.prompt must be a string; got 42."],
    [{ seed: "7" }, 'changes.seed must be a number or null; got "7".'],
    [{ reference_images: "abc" }, 'changes.reference_images must be a list of strings; got "abc".'],
    [{ seed: -1 }, "seed must be a whole number from 0 to 9007199254740991; got -1."],
    [{ n: 0 }, "n must be a whole number from 1 to 4 (IMAGE_GENERATION_MCP_MAX_IMAGES_PER_CALL); got 0."],
    [{ aspect_ratio: "7:5" }, "Unsupported aspect_ratio '7:5'"],
  ])("bad changes %p are refused with a clear error and change nothing", async (changes, message) => {
    await using env = await connect()
    const original = await made(env, "generate_image", { prompt: "a fox", provider: "placeholder" })
    const before = await snapshot(env)
    const result = await env.call("regenerate_image", { image_id: original, changes })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toContain(message)
    expect(await snapshot(env)).toEqual(before)
  })

  test("an image whose reference was deleted cannot be rerun as it was; other references in changes can", async () => {
    await using webui = fakeSdWebui()
    await using env = await connect({ env: { [`${P}SD_WEBUI_HOST`]: webui.url } })
    const [source, replacement] = [
      await made(env, "generate_image", { prompt: "a", provider: "placeholder" }),
      await made(env, "generate_image", { prompt: "b", provider: "placeholder" }),
    ]
    const transformed = await made(env, "transform_image", {
      prompt: "x",
      reference_images: [source],
      provider: "sd_webui",
    })
    await env.call("delete_image", { image_id: source })
    const before = await snapshot(env)
    const refused = await env.call("regenerate_image", { image_id: transformed })
    expect(refused.isError).toBe(true)
    expect(env.text(refused)).toBe(
      `[server] Image '${transformed}' was made from image '${source}', which has been deleted, so it cannot be made again as it was. Pass reference_images (and mask) in changes to use other images.`,
    )
    expect(await snapshot(env)).toEqual(before)
    const rerun = await made(env, "regenerate_image", {
      image_id: transformed,
      changes: { reference_images: [replacement] },
    })
    expect(await sidecar(env, rerun)).toMatchObject({ source_image_ids: [replacement], regenerated_from: transformed })
  })

  test("unknown ids, edits and imports are refused with a clear error", async () => {
    await using env = await connect()
    const unknown = await env.call("regenerate_image", { image_id: "0123456789ab" })
    expect(env.text(unknown)).toBe(
      "[server] No image or generation with id '0123456789ab' is known. Read image://list to see available IDs.",
    )
    const imported = await env.services.imports.ingestBase64(Buffer.from(solidPng(4, 4, [9, 9, 9])).toString("base64"))
    if (!imported.ok) throw new Error(imported.message)
    const refused = await env.call("regenerate_image", { image_id: imported.record.id })
    expect(refused.isError).toBe(true)
    expect(env.text(refused)).toContain(
      "was imported, not generated, so there is no generation to run again. Use it as a reference with transform_image instead.",
    )
    const source = await made(env, "generate_image", { prompt: "a fox", provider: "placeholder" })
    const edited = body(env, await env.call("_save_edited_image", { source_image_id: source, rotate: 90 }))
    const editedShown = await env.call("show_image", { uri: `image://${edited.image_id}/view` })
    expect(JSON.parse((editedShown.content[1] as { text: string }).text)).toMatchObject({ can_regenerate: false })
    const editRefused = await env.call("regenerate_image", { image_id: edited.image_id })
    expect(env.text(editRefused)).toContain(`Image '${edited.image_id}' was made by the editor, not generated`)
    expect(await env.services.jobs.listUnfinished()).toEqual([])
  })
})
