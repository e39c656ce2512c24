import { describe, expect, test } from "bun:test"
import { createFakeProvider, fakeModel } from "../fixture/fake-provider"
import { quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { connect } from "../helpers/mcp"

const imageInput = (name: string, max: number, mask = false) =>
  createFakeProvider({
    name,
    models: [fakeModel(`${name}-model`, { supports_image_input: true, max_input_images: max, supports_mask: mask })],
  })

async function gallery(env: Awaited<ReturnType<typeof connect>>, n: number) {
  const ids: string[] = []
  for (let i = 0; i < n; i++) ids.push((await addImage(env.services, quadrantPng(16 + i, 16))).id)
  return ids
}

describe("transform_image", () => {
  test("routes to a provider that takes reference images and records provenance", async () => {
    const capable = imageInput("editor", 3)
    await using env = await connect({ deps: { extraProviders: [capable] } })
    const [a, b] = await gallery(env, 2)
    const result = await env.call("transform_image", {
      prompt: "blend them",
      reference_images: [a, `image://${b}/view`],
    })
    const body = JSON.parse(env.text(result))
    expect(body).toMatchObject({ status: "generating", provider: "editor", source_image_ids: [a, b] })
    expect(Object.keys(body)).toEqual([
      "status",
      "image_id",
      "prompt",
      "provider",
      "prompt_style",
      "source_image_ids",
      "original_uri",
      "metadata_uri",
      "resource_template",
    ])
    expect(result.content[1]).toMatchObject({ type: "resource_link", name: "Transformed image (generating)" })
    await env.services.jobs.idle()
    expect(capable.requests[0]?.referenceImages?.map((r) => r.sourceId)).toEqual([a as string, b as string])
    const sidecar = JSON.parse(await env.readText(`image://${body.image_id}/metadata`))
    expect(sidecar.source_image_ids).toEqual([a, b])
  })

  test("auto routing picks the provider whose cap fits, and errors when none does", async () => {
    await using env = await connect({ deps: { extraProviders: [imageInput("small", 3), imageInput("large", 14)] } })
    const refs = await gallery(env, 5)
    const body = JSON.parse(env.text(await env.call("transform_image", { prompt: "x", reference_images: refs })))
    expect(body.provider).toBe("large")
    const many = [...refs, ...refs, ...refs]
    const refused = await env.call("transform_image", { prompt: "x", reference_images: many })
    expect(env.text(refused)).toBe(
      "No configured provider accepts 15 reference image(s). See list_providers (max_input_images) for per-model limits.",
    )
    const explicit = await env.call("transform_image", { prompt: "x", reference_images: refs, provider: "small" })
    expect(env.text(explicit)).toBe(
      "Provider 'small' has no model accepting 5 reference image(s). See list_providers for models supporting reference-image input.",
    )
  })

  test("a mask needs a model that supports masks; the mask id follows the references", async () => {
    const masker = imageInput("masker", 16, true)
    await using env = await connect({ deps: { extraProviders: [imageInput("plain", 16), masker] } })
    const [ref, mask] = await gallery(env, 2)
    const body = JSON.parse(env.text(await env.call("transform_image", { prompt: "x", reference_images: [ref], mask })))
    expect(body).toMatchObject({ provider: "masker", source_image_ids: [ref, mask] })
    const refused = await env.call("transform_image", { prompt: "x", reference_images: [ref], mask, provider: "plain" })
    expect(env.text(refused)).toContain("has no model accepting 1 reference image(s) with a mask")
  })

  test.each([
    [{ reference_images: [] }, "reference_images must not be empty."],
    [{ strength: 1.5 }, "strength must be between 0.0 and 1.0; got 1.5."],
    [{ strength: -1 }, "strength must be between 0.0 and 1.0; got -1.0."],
    [{ quality: "ultra" }, "Unsupported quality 'ultra'. Supported: ['standard', 'hd']"],
    [{ reference_images: ["0123456789ab"] }, "Image reference '0123456789ab' not found."],
    [{ reference_images: ["/etc/passwd"] }, "Local file input is disabled; cannot read '/etc/passwd'."],
  ])("%p is refused: %s", async (args, message) => {
    await using env = await connect({ deps: { extraProviders: [imageInput("editor", 3)] } })
    const [ref] = await gallery(env, 1)
    const result = await env.call("transform_image", { prompt: "x", reference_images: [ref], ...args })
    expect(result.isError).toBe(true)
    expect(env.text(result)).toContain(message)
    expect(await env.services.jobs.listUnfinished()).toEqual([])
  })

  test("with no provider taking references, the tool says so", async () => {
    await using env = await connect()
    const [ref] = await gallery(env, 1)
    const result = await env.call("transform_image", { prompt: "x", reference_images: [ref] })
    expect(env.text(result)).toBe(
      "No configured provider supports reference-image input. See list_providers and the README for supported providers.",
    )
  })

  test("a registered image whose file is gone counts as not found", async () => {
    await using env = await connect({ deps: { extraProviders: [imageInput("editor", 3)] } })
    const [ref] = await gallery(env, 1)
    const record = await env.services.images.get(ref as string)
    const { rm } = await import("node:fs/promises")
    await rm(`${env.config.scratchDir}/${record?.originalFilename}`)
    const result = await env.call("transform_image", { prompt: "x", reference_images: [ref] })
    expect(env.text(result)).toContain(`Image reference '${ref}' not found.`)
  })

  test("the description points at the intake tools", async () => {
    await using env = await connect()
    const tool = (await env.client.listTools()).tools.find((t) => t.name === "transform_image")
    for (const name of ["fetch_image", "ingest_base64_image", "create_upload_link"])
      expect(tool?.description).toContain(name)
  })
})
