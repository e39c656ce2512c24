// Several images in one ComfyUI prompt: the batch size set where the workflow makes its latent, every image read
// from the history, each with the batch's one seed and its place in the batch; cancel stops the one prompt.
import { describe, expect, test } from "bun:test"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { AppError } from "@/core/errors"
import { solidPng } from "@/providers/solid-png"
import { quadrantPng } from "../../fixture/images"
import { tmpdir } from "../../fixture/tmpdir"
import { addImage } from "../../helpers/gallery"
import { connect } from "../../helpers/mcp"
import { waitFor } from "../../helpers/wait"
import { fakeComfyUi } from "./fake"
import { batchColour } from "./fake/nodes"
import { lastGraph, live, nodeOf, png, rejection, request, useFake } from "./harness"

const HOST = "IMAGE_GENERATION_MCP_COMFYUI_HOST"
const WORKFLOWS = "IMAGE_GENERATION_MCP_COMFYUI_WORKFLOWS_DIR"
const { fake, comfy } = useFake()
const json = (text: string) => JSON.parse(text) as Record<string, unknown>
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

/** An image-to-image workflow of the user's: LoadImage → VAEEncode feeds the sampler, so nothing sets a batch. */
const IMG2IMG_WORKFLOW = {
  "1": { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: "v1-5-pruned-emaonly.safetensors" } },
  "2": { class_type: "LoadImage", inputs: { image: "x.png" }, _meta: { title: "Load @image" } },
  "3": { class_type: "VAEEncode", inputs: { pixels: ["2", 0], vae: ["1", 2] } },
  "4": { class_type: "CLIPTextEncode", inputs: { text: "", clip: ["1", 1] }, _meta: { title: "Positive @prompt" } },
  "5": { class_type: "CLIPTextEncode", inputs: { text: "", clip: ["1", 1] } },
  "6": {
    class_type: "KSampler",
    _meta: { title: "KSampler @seed @strength" },
    inputs: {
      seed: 0,
      steps: 4,
      cfg: 7,
      sampler_name: "euler",
      scheduler: "normal",
      denoise: 0.6,
      model: ["1", 0],
      positive: ["4", 0],
      negative: ["5", 0],
      latent_image: ["3", 0],
    },
  },
  "7": { class_type: "VAEDecode", inputs: { samples: ["6", 0], vae: ["1", 2] } },
  "8": { class_type: "SaveImage", inputs: { images: ["7", 0], filename_prefix: "edit" } },
}

describe("comfyui batches in one prompt", () => {
  test("txt2img: one /prompt with batch_size n; n images from the history, each with the seed and its index", async () => {
    const results = await comfy().generateBatch?.(request({ seed: 77 }), 3, live())
    expect(fake().calls("/prompt")).toHaveLength(1)
    const graph = lastGraph(fake())
    expect(nodeOf(graph, "EmptyLatentImage")).toMatchObject({ batch_size: 3 })
    expect(nodeOf(graph, "KSampler").seed).toBe(77)
    const promptId = fake().prompts()[0]?.promptId
    expect(results).toHaveLength(3)
    results?.forEach((result, k) => {
      expect(same(result.data, solidPng(512, 512, batchColour(77, k)))).toBe(true)
      expect(result.metadata).toMatchObject({ seed: 77, seed_batch_index: k, prompt_id: promptId, workflow: "txt2img" })
    })
    const single = await comfy().generate(request({ seed: 77 }), live())
    expect(nodeOf(lastGraph(fake()), "EmptyLatentImage").batch_size).toBe(1)
    expect(single.metadata).not.toContainKey("seed_batch_index")
    expect(same(single.data, results?.[0]?.data ?? new Uint8Array())).toBe(true)
  })

  test("Flux sets EmptySD3LatentImage's batch_size; img2img and inpainting repeat the encoded latent", async () => {
    const provider = comfy()
    await provider.generateBatch?.(request({ model: "flux1-dev.safetensors", seed: 5 }), 2, live())
    expect(nodeOf(lastGraph(fake()), "EmptySD3LatentImage").batch_size).toBe(2)
    const edited = await provider.generateBatch?.(request({ referenceImages: [png(quadrantPng(64, 32))] }), 4, live())
    const graph = lastGraph(fake())
    const repeat = nodeOf(graph, "RepeatLatentBatch")
    expect(repeat.amount).toBe(4)
    expect(graph[String((repeat.samples as unknown[])[0])]?.class_type).toBe("VAEEncode")
    expect(nodeOf(graph, "KSampler").latent_image).toEqual([
      Object.keys(graph).find((id) => graph[id]?.class_type === "RepeatLatentBatch"),
      0,
    ])
    expect(edited?.map((r) => r.metadata.seed_batch_index)).toEqual([0, 1, 2, 3])
    const sizes = await Promise.all((edited ?? []).map(async (r) => new Bun.Image(r.data).metadata()))
    expect(new Set(sizes.map((s) => `${s.width}x${s.height}`)).size).toBe(1)
    const mask = png(solidPng(64, 32, [0, 0, 0], 0))
    await provider.generateBatch?.(request({ referenceImages: [png(quadrantPng(64, 32))], mask }), 2, live())
    const inpaint = lastGraph(fake())
    const noiseMask = String((nodeOf(inpaint, "RepeatLatentBatch").samples as unknown[])[0])
    expect(inpaint[noiseMask]?.class_type).toBe("SetLatentNoiseMask")
    expect(nodeOf(inpaint, "RepeatLatentBatch").amount).toBe(2)
    expect(fake().calls("/prompt")).toHaveLength(3)
  })

  test("max_batch_size comes from ComfyUI's own limits; a workflow with nothing to batch makes one per prompt", async () => {
    await using dir = await tmpdir("igm-workflows-")
    await writeFile(join(dir.path, "edit.json"), JSON.stringify(IMG2IMG_WORKFLOW))
    const provider = comfy({ workflowsDir: dir.path })
    const models = new Map((await provider.discover()).models.map((m) => [m.model_id, m.max_batch_size]))
    // RepeatLatentBatch takes 1..64 and the image-to-image workflows use it; EmptySD3LatentImage takes 1..4096.
    expect(models.get("v1-5-pruned-emaonly.safetensors")).toBe(64)
    expect(models.get("flux1-dev.safetensors")).toBe(4096)
    expect(models.get("workflow:edit")).toBe(1)
    const error = (await rejection(
      provider.generateBatch?.(
        request({ model: "workflow:edit", referenceImages: [png(quadrantPng(8, 8))] }),
        2,
        live(),
      ) ?? Promise.resolve(),
    )) as AppError
    expect(error.kind).toBe("invalid_input")
    expect(error.message).toContain("Model 'workflow:edit' makes 1 to 1 image(s) per ComfyUI prompt; asked for 2.")
    const tooMany = (await rejection(provider.generateBatch?.(request(), 65, live()) ?? Promise.resolve())) as AppError
    expect(tooMany.message).toContain("makes 1 to 64 image(s) per ComfyUI prompt; asked for 65.")
    expect(
      (await rejection(provider.generateBatch?.(request(), 0, live()) ?? Promise.resolve())) as AppError,
    ).toMatchObject({ kind: "invalid_input" })
    expect(fake().calls("/prompt")).toHaveLength(0)
  })

  test("a cancel of the batch interrupts its one prompt by id", async () => {
    fake().set({ stepMs: 15 })
    const controller = new AbortController()
    const reason = new Error("cancelled")
    const pending = rejection(comfy().generateBatch?.(request(), 3, { signal: controller.signal }) ?? Promise.resolve())
    await waitFor(() => (fake().prompts()[0]?.stepsDone ?? 0) >= 2, "the batch sampling")
    controller.abort(reason)
    expect(await pending).toBe(reason)
    await waitFor(() => fake().prompts()[0]?.status === "interrupted", "the prompt interrupted")
    const promptId = fake().prompts()[0]?.promptId ?? ""
    expect(fake().interrupts).toEqual([{ promptId, running: promptId, applied: true }])
  })
})

describe("comfyui: image k of a batch made alone (seedBatchIndex)", () => {
  /** The id of the only node of this class. */
  const idOf = (graph: ReturnType<typeof lastGraph>, classType: string) =>
    Object.keys(graph).find((id) => graph[id]?.class_type === classType)

  test("txt2img: the empty latent makes k+1, LatentFromBatch picks k for the sampler; the image is batch image k", async () => {
    const provider = comfy()
    const batch = (await provider.generateBatch?.(request({ seed: 77 }), 3, live())) ?? []
    const alone = await provider.generate(request({ seed: 77, seedBatchIndex: 2 }), live())
    const graph = lastGraph(fake())
    expect(nodeOf(graph, "EmptyLatentImage").batch_size).toBe(3)
    expect(nodeOf(graph, "LatentFromBatch")).toEqual({
      samples: [idOf(graph, "EmptyLatentImage"), 0],
      batch_index: 2,
      length: 1,
    })
    expect(nodeOf(graph, "KSampler")).toMatchObject({ seed: 77, latent_image: [idOf(graph, "LatentFromBatch"), 0] })
    expect(same(alone.data, batch[2]?.data ?? new Uint8Array())).toBe(true)
    expect(same(alone.data, batch[0]?.data ?? new Uint8Array())).toBe(false)
    expect(alone.metadata).toMatchObject({ seed: 77, seed_batch_index: 2 })
    // Index 0 is the plain prompt: nothing to pick.
    await provider.generate(request({ seed: 77, seedBatchIndex: 0 }), live())
    expect(Object.values(lastGraph(fake())).map((n) => n.class_type)).not.toContain("LatentFromBatch")
  })

  test("img2img repeats the encoded latent k+1 times before picking; Flux picks from EmptySD3LatentImage", async () => {
    const provider = comfy()
    const reference = png(quadrantPng(64, 32))
    const edited = (await provider.generateBatch?.(request({ referenceImages: [reference], seed: 3 }), 4, live())) ?? []
    const alone = await provider.generate(request({ referenceImages: [reference], seed: 3, seedBatchIndex: 3 }), live())
    const graph = lastGraph(fake())
    expect(nodeOf(graph, "RepeatLatentBatch").amount).toBe(4)
    expect(nodeOf(graph, "LatentFromBatch")).toMatchObject({ samples: [idOf(graph, "RepeatLatentBatch"), 0] })
    expect(nodeOf(graph, "KSampler").latent_image).toEqual([idOf(graph, "LatentFromBatch"), 0])
    expect(same(alone.data, edited[3]?.data ?? new Uint8Array())).toBe(true)
    const flux = request({ model: "flux1-dev.safetensors", seed: 5 })
    const fluxBatch = (await provider.generateBatch?.(flux, 2, live())) ?? []
    const fluxAlone = await provider.generate({ ...flux, seedBatchIndex: 1 }, live())
    const fluxGraph = lastGraph(fake())
    expect(nodeOf(fluxGraph, "SamplerCustomAdvanced").latent_image).toEqual([idOf(fluxGraph, "LatentFromBatch"), 0])
    expect(nodeOf(fluxGraph, "EmptySD3LatentImage").batch_size).toBe(2)
    expect(same(fluxAlone.data, fluxBatch[1]?.data ?? new Uint8Array())).toBe(true)
  })

  test("refused before any prompt: past LatentFromBatch's 63, a workflow with no batch input, several images", async () => {
    await using dir = await tmpdir("igm-workflows-")
    await writeFile(join(dir.path, "edit.json"), JSON.stringify(IMG2IMG_WORKFLOW))
    const provider = comfy({ workflowsDir: dir.path })
    const refusal = async (promise: Promise<unknown> | undefined) =>
      (await rejection(promise ?? Promise.resolve())) as AppError
    const high = await refusal(provider.generate(request({ seed: 1, seedBatchIndex: 64 }), live()))
    expect(high.kind).toBe("invalid_input")
    expect(high.message).toContain(
      "Image 64 of the batch of seed 1 cannot be made alone on model 'v1-5-pruned-emaonly.safetensors': this ComfyUI's LatentFromBatch takes batch_index up to 63.",
    )
    const edit = request({ model: "workflow:edit", referenceImages: [png(quadrantPng(8, 8))], seed: 1 })
    const none = await refusal(provider.generate({ ...edit, seedBatchIndex: 1 }, live()))
    expect(none.message).toContain("cannot be made alone on model 'workflow:edit': it has no batch input.")
    for (const [index, count] of [
      [1, 2],
      [-1, 1],
      [1.5, 1],
    ] as const) {
      const bad = await refusal(provider.generateBatch?.(request({ seed: 1, seedBatchIndex: index }), count, live()))
      expect(bad.message).toContain(`seed_batch_index must be a whole number from 0, for one image; got ${index}`)
    }
    expect(fake().calls("/prompt")).toHaveLength(0)
  })
})

describe("comfyui batches through the MCP tools", () => {
  test("n=3: one prompt, three image_ids sharing a batch_id, each stored with the seed and its batch index", async () => {
    await using comfyui = fakeComfyUi()
    await using env = await connect({ env: { [HOST]: comfyui.url } })
    const started = json(
      env.text(await env.call("generate_image", { prompt: "a harbour", provider: "comfyui", n: 3, seed: 1234 })),
    )
    const ids = started.image_ids as string[]
    expect(ids).toHaveLength(3)
    expect(String(started.batch_id)).toMatch(/^batch-/)
    await env.services.jobs.idle()
    expect(comfyui.calls("/prompt")).toHaveLength(1)
    expect(nodeOf(comfyui.prompts()[0]?.prompt ?? {}, "EmptyLatentImage").batch_size).toBe(3)
    const batch = json(env.text(await env.call("check_generation_status", { image_id: started.batch_id })))
    expect(batch.status).toBe("completed")
    for (const [k, id] of ids.entries()) {
      const record = await env.services.images.get(id)
      expect(record).toMatchObject({ seed: 1234, batchId: started.batch_id, batchIndex: k })
      expect(record?.providerMetadata).toMatchObject({ seed: 1234, seed_batch_index: k })
    }
  })

  test("regenerate_image of image 2 of a batch makes image 2 alone; a seed or n in changes starts a new batch", async () => {
    await using comfyui = fakeComfyUi()
    await using env = await connect({ env: { [HOST]: comfyui.url } })
    const call = async (tool: string, args: Record<string, unknown>) => {
      const result = await env.call(tool, args)
      expect(result.isError).toBeFalsy()
      const started = json(env.text(result))
      await env.services.jobs.idle()
      return started
    }
    const view = async (id: unknown) => {
      const content = (await env.client.readResource({ uri: `image://${id}/view` })).contents[0]
      return content && "blob" in content ? content.blob : undefined
    }
    const ids = (await call("generate_image", { prompt: "a harbour", provider: "comfyui", n: 3, seed: 1234 }))
      .image_ids as string[]
    const [first, , third] = await Promise.all(ids.map(view))
    expect(third).toBeString()
    expect(third).not.toBe(first)

    const again = await call("regenerate_image", { image_id: ids[2] })
    expect(again).toMatchObject({ status: "generating", regenerated_from: ids[2] })
    expect(again).not.toContainKey("image_ids")
    const graph = comfyui.prompts().at(-1)?.prompt ?? {}
    expect(nodeOf(graph, "EmptyLatentImage").batch_size).toBe(3)
    expect(nodeOf(graph, "LatentFromBatch")).toMatchObject({ batch_index: 2, length: 1 })
    expect(await view(again.image_id)).toBe(third)
    const remade = await env.services.images.get(String(again.image_id))
    expect(remade).toMatchObject({ seed: 1234, regeneratedFrom: ids[2], batchId: null })
    expect(remade?.providerMetadata).toMatchObject({ seed: 1234, seed_batch_index: 2 })
    // It records its place, so it can be made again in turn; a new prompt keeps the place too.
    expect(await view((await call("regenerate_image", { image_id: again.image_id })).image_id)).toBe(third)
    const reworded = await call("regenerate_image", { image_id: ids[2], changes: { prompt: "a harbour at night" } })
    expect(nodeOf(comfyui.prompts().at(-1)?.prompt ?? {}, "LatentFromBatch").batch_index).toBe(2)
    expect(await view(reworded.image_id)).toBe(third)

    // A seed in changes, even the same one, is a new call: image 0 of that seed, no pick.
    const seeded = await call("regenerate_image", { image_id: ids[2], changes: { seed: 1234 } })
    const plain = comfyui.prompts().at(-1)?.prompt ?? {}
    expect(Object.values(plain).map((n) => n.class_type)).not.toContain("LatentFromBatch")
    expect(nodeOf(plain, "EmptyLatentImage").batch_size).toBe(1)
    expect(await view(seeded.image_id)).toBe(first)
    expect((await env.services.images.get(String(seeded.image_id)))?.providerMetadata).not.toContainKey(
      "seed_batch_index",
    )
    // n in changes makes a new batch of the stored seed from its image 0, image 2 included.
    const batch = await call("regenerate_image", { image_id: ids[2], changes: { n: 3 } })
    expect(nodeOf(comfyui.prompts().at(-1)?.prompt ?? {}, "EmptyLatentImage").batch_size).toBe(3)
    expect(await Promise.all((batch.image_ids as string[]).map(view))).toEqual(await Promise.all(ids.map(view)))
  })

  test("a transform_image batch: regenerate_image of image 1 repeats the reference's latent twice, keeps image 1", async () => {
    await using comfyui = fakeComfyUi()
    await using env = await connect({ env: { [HOST]: comfyui.url } })
    const source = await addImage(env.services, quadrantPng(32, 32))
    const started = json(
      env.text(
        await env.call("transform_image", {
          prompt: "a red door",
          reference_images: [source.id],
          provider: "comfyui",
          n: 2,
          seed: 40,
        }),
      ),
    )
    await env.services.jobs.idle()
    const ids = started.image_ids as string[]
    const again = json(env.text(await env.call("regenerate_image", { image_id: ids[1] })))
    await env.services.jobs.idle()
    const graph = comfyui.prompts().at(-1)?.prompt ?? {}
    expect(nodeOf(graph, "RepeatLatentBatch").amount).toBe(2)
    expect(nodeOf(graph, "LatentFromBatch").batch_index).toBe(1)
    const read = async (id: unknown) => env.services.images.readOriginal(await env.services.images.require(String(id)))
    expect(same(await read(again.image_id), await read(ids[1]))).toBe(true)
    expect(same(await read(again.image_id), await read(ids[0]))).toBe(false)
  })

  test("cancel_generation of the batch id interrupts the one prompt; every image is cancelled", async () => {
    await using comfyui = fakeComfyUi({}, { stepMs: 20 })
    await using env = await connect({ env: { [HOST]: comfyui.url } })
    const started = json(env.text(await env.call("generate_image", { prompt: "x", provider: "comfyui", n: 2 })))
    await waitFor(() => (comfyui.prompts()[0]?.stepsDone ?? 0) >= 1, "the batch sampling")
    const cancelled = json(env.text(await env.call("cancel_generation", { image_id: started.batch_id })))
    expect(cancelled.status).toBe("cancelled")
    await waitFor(() => comfyui.prompts()[0]?.status === "interrupted", "the prompt interrupted")
    await env.services.jobs.idle()
    expect(comfyui.calls("/prompt")).toHaveLength(1)
    for (const id of started.image_ids as string[]) {
      expect(json(env.text(await env.call("check_generation_status", { image_id: id }))).status).toBe("cancelled")
    }
  })

  test("a workflow that cannot batch gets one prompt per image, seeds S, S+1, S+2", async () => {
    await using comfyui = fakeComfyUi()
    await using dir = await tmpdir("igm-workflows-")
    await writeFile(join(dir.path, "edit.json"), JSON.stringify(IMG2IMG_WORKFLOW))
    await using env = await connect({ env: { [HOST]: comfyui.url, [WORKFLOWS]: dir.path } })
    const source = await addImage(env.services, quadrantPng(32, 32))
    const started = json(
      env.text(
        await env.call("transform_image", {
          prompt: "a red door",
          reference_images: [source.id],
          provider: "comfyui",
          model: "workflow:edit",
          n: 3,
          seed: 40,
        }),
      ),
    )
    expect(started.image_ids).toHaveLength(3)
    await env.services.jobs.idle()
    const prompts = comfyui.prompts()
    expect(prompts).toHaveLength(3)
    expect(prompts.map((p) => p.status)).toEqual(["success", "success", "success"])
    expect(prompts.map((p) => nodeOf(p.prompt, "KSampler").seed).sort()).toEqual([40, 41, 42])
  })
})
