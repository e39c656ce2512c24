import { describe, expect, test } from "bun:test"
import type { AppError } from "@/core/errors"
import { readPixels } from "@/core/transform/pixels"
import { createComfyUiProvider, PROVIDER_NAME } from "@/providers/comfyui/provider"
import { InputUnsupportedError, ProviderError, UpstreamNotFoundError } from "@/providers/errors"
import { LOCAL_PRESETS, sizeForShape } from "@/providers/local/presets"
import { solidPng } from "@/providers/solid-png"
import { quadrantPng, rgbaPng } from "../../fixture/images"
import { testProvider } from "../contract"
import { testUpstreamContract } from "../contract-upstream"
import { closedPortUrl } from "./fake"
import { seedColour } from "./fake/nodes"
import { lastGraph, live, nodeOf, png, rejection, request, useFake } from "./harness"

const AUTH = { username: "igm", password: "pa:ss w0rd-s3cret" }
const { fake, comfy } = useFake({ auth: AUTH })

testProvider(PROVIDER_NAME, { provider: () => comfy() })

testUpstreamContract(PROVIDER_NAME, {
  provider: (opts) => comfy({ timeoutMs: opts?.timeoutMs }),
  unreachable: async () => createComfyUiProvider({ host: await closedPortUrl() }),
  hangNext: () => fake().hangNext(),
  nonImageNext: () =>
    fake().answerNext(200, "<html><body>Bad gateway page</body></html>", { "content-type": "text/html" }),
  echoSecretNext: (secret) => fake().answerNext(500, `login ${secret} refused by the proxy`),
  secret: AUTH.password,
})

describe("comfyui built-in workflows", () => {
  test("txt2img for a checkpoint: the preset's sampling, our seed and size, Basic auth from the host URL", async () => {
    const result = await comfy().generate(request({ negativePrompt: "blurry", seed: 4242 }), live())
    const graph = lastGraph(fake())
    expect(nodeOf(graph, "CheckpointLoaderSimple")).toEqual({ ckpt_name: "v1-5-pruned-emaonly.safetensors" })
    expect(nodeOf(graph, "KSampler")).toMatchObject({
      seed: 4242,
      steps: 30,
      cfg: 7,
      sampler_name: "dpmpp_2m",
      scheduler: "karras",
      denoise: 1,
    })
    expect(nodeOf(graph, "EmptyLatentImage")).toMatchObject({ width: 512, height: 512, batch_size: 1 })
    const texts = Object.values(graph)
      .filter((n) => n.class_type === "CLIPTextEncode")
      .map((n) => n.inputs.text)
    expect(texts.sort()).toEqual(["a lighthouse at dusk", "blurry"])
    const header = fake().calls("/prompt")[0]?.authorization ?? ""
    expect(Buffer.from(header.replace("Basic ", ""), "base64").toString()).toBe(`${AUTH.username}:${AUTH.password}`)
    expect(result.contentType).toBe("image/png")
    expect(Buffer.from(result.data).equals(Buffer.from(solidPng(512, 512, seedColour(4242))))).toBe(true)
    expect(result.metadata).toMatchObject({
      model: "v1-5-pruned-emaonly.safetensors",
      architecture: "sd15",
      workflow: "txt2img",
      size: "512x512",
      steps: 30,
      cfg_scale: 7,
      sampler: "dpmpp_2m",
      scheduler: "karras",
      seed: 4242,
      prompt_id: fake().prompts()[0]?.promptId,
    })
  })

  test("an SDXL checkpoint at 16:9 gets SDXL's size; without a seed each prompt gets a random one, recorded", async () => {
    const provider = comfy()
    const first = await provider.generate(request({ model: "juggernautXL_v9", aspectRatio: "16:9" }), live())
    const second = await provider.generate(request({ model: "SDXL/juggernautXL_v9.safetensors" }), live())
    const [a, b] = fake().prompts()
    expect(nodeOf(a?.prompt ?? {}, "EmptyLatentImage")).toMatchObject({ width: 1344, height: 768 })
    expect(await new Bun.Image(first.data).metadata()).toMatchObject({ width: 1344, height: 768 })
    const seeds = [a, b].map((p) => nodeOf(p?.prompt ?? {}, "KSampler").seed)
    expect(seeds[0]).not.toBe(seeds[1])
    expect([first.metadata.seed, second.metadata.seed]).toEqual(seeds)
    expect(first.metadata).toMatchObject({ model: "SDXL/juggernautXL_v9.safetensors", architecture: "sdxl" })
  })

  test("a Flux diffusion model runs as ComfyUI's Flux example wires it: diffusion model, two encoders, VAE", async () => {
    const result = await comfy().generate(
      request({ model: "flux1-dev.safetensors", negativePrompt: "ignored by Flux", seed: 7 }),
      live(),
    )
    const graph = lastGraph(fake())
    expect(nodeOf(graph, "UNETLoader")).toEqual({ unet_name: "flux1-dev.safetensors", weight_dtype: "default" })
    expect(nodeOf(graph, "DualCLIPLoader")).toEqual({
      clip_name1: "t5xxl_fp16.safetensors",
      clip_name2: "clip_l.safetensors",
      type: "flux",
    })
    expect(nodeOf(graph, "VAELoader")).toEqual({ vae_name: "ae.safetensors" })
    expect(nodeOf(graph, "FluxGuidance").guidance).toBe(3.5)
    expect(nodeOf(graph, "BasicScheduler")).toMatchObject({ scheduler: "simple", steps: 20, denoise: 1 })
    expect(nodeOf(graph, "KSamplerSelect")).toEqual({ sampler_name: "euler" })
    expect(nodeOf(graph, "RandomNoise")).toEqual({ noise_seed: 7 })
    expect(nodeOf(graph, "EmptySD3LatentImage")).toMatchObject({ width: 1024, height: 1024 })
    expect(nodeOf(graph, "ModelSamplingFlux")).toMatchObject({ width: 1024, height: 1024 })
    expect(nodeOf(graph, "CLIPTextEncode").text).toBe("a lighthouse at dusk")
    expect(Buffer.from(result.data).equals(Buffer.from(solidPng(1024, 1024, seedColour(7))))).toBe(true)
    expect(result.metadata).toMatchObject({ workflow: "txt2img-flux", architecture: "flux_dev", guidance: 3.5 })
  })

  test("img2img: the reference is uploaded, scaled to the checkpoint's size in its own shape; strength is denoise", async () => {
    const reference = quadrantPng(64, 32)
    const result = await comfy().generate(request({ referenceImages: [png(reference)], strength: 0.4 }), live())
    const graph = lastGraph(fake())
    const uploaded = String(nodeOf(graph, "LoadImage").image)
    expect(uploaded).toMatch(/^image-generation-mcp\/[0-9a-f]{20}\.png$/)
    expect(Buffer.from(fake().folders.input.get(uploaded) ?? []).equals(Buffer.from(reference))).toBe(true)
    const [width, height] = sizeForShape(LOCAL_PRESETS.sd15, 64, 32)
    expect(nodeOf(graph, "ImageScale")).toMatchObject({ width, height, crop: "center" })
    expect(nodeOf(graph, "KSampler").denoise).toBe(0.4)
    expect(await new Bun.Image(result.data).metadata()).toMatchObject({ width, height })
    expect(result.metadata).toMatchObject({
      workflow: "img2img",
      strength: 0.4,
      edited: true,
      size: `${width}x${height}`,
    })
  })

  test("inpainting: /upload/mask puts the mask into the reference's alpha; LoadImage's MASK feeds the noise mask", async () => {
    const reference = quadrantPng(32, 32)
    const data = new Uint8Array(16 * 16 * 4)
    for (let i = 0; i < data.length; i += 4) data.set([0, 0, 0, i % 64 < 32 ? 0 : 255], i)
    const mask = rgbaPng({ width: 16, height: 16, data })
    await comfy().generate(request({ referenceImages: [png(reference)], mask: png(mask) }), live())
    const graph = lastGraph(fake())
    const load = Object.entries(graph).find(([, n]) => n.class_type === "LoadImage")
    const combined = fake().folders.input.get(String(load?.[1].inputs.image)) ?? new Uint8Array()
    const pixels = await readPixels(new Bun.Image(combined))
    expect([pixels.width, pixels.height]).toEqual([32, 32])
    expect([pixels.data[3], pixels.data[16 * 4 + 3]]).toEqual([0, 255])
    expect([...pixels.data.subarray(0, 3)]).toEqual([255, 0, 0])
    const upload = fake().calls("/upload/mask")[0]?.body as { original_ref: string; overwrite: string }
    expect(JSON.parse(upload.original_ref)).toMatchObject({ subfolder: "image-generation-mcp", type: "input" })
    expect(upload.overwrite).toBe("true")
    expect(nodeOf(graph, "SetLatentNoiseMask").mask).toEqual([load?.[0], 1])
    expect(nodeOf(graph, "KSampler").denoise).toBe(1)
    const files = fake().folders.input.size
    await comfy().generate(request({ referenceImages: [png(reference)], mask: png(mask) }), live())
    expect(fake().folders.input.size).toBe(files)
  })

  test("a mask without transparency, or a reference for a Flux model, is refused before any prompt", async () => {
    const reference = png(quadrantPng(16, 16))
    const opaque = png(solidPng(16, 16, [0, 0, 0]))
    const noAlpha = await rejection(comfy().generate(request({ referenceImages: [reference], mask: opaque }), live()))
    expect((noAlpha as AppError).kind).toBe("invalid_input")
    expect((noAlpha as Error).message).toContain("The mask has no alpha channel")
    const flux = await rejection(
      comfy().generate(request({ model: "flux1-dev.safetensors", referenceImages: [reference] }), live()),
    )
    expect(flux).toBeInstanceOf(InputUnsupportedError)
    expect(fake().prompts()).toHaveLength(0)
  })

  test("the same prompt and seed twice: ComfyUI answers from its cache, and the image still comes from /history", async () => {
    const provider = comfy()
    const first = await provider.generate(request({ seed: 5 }), live())
    const second = await provider.generate(request({ seed: 5 }), live())
    const [, again] = fake().prompts()
    expect(again?.cached.length).toBe(Object.keys(again?.prompt ?? {}).length)
    expect(again?.stepsDone).toBe(0)
    expect(Buffer.from(second.data).equals(Buffer.from(first.data))).toBe(true)
  })

  test("a seed ComfyUI cannot take is refused with the range", async () => {
    const error = await rejection(comfy().generate(request({ seed: -1 }), live()))
    expect((error as AppError).kind).toBe("invalid_input")
    expect((error as Error).message).toBe(
      `[comfyui] seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}; got -1.`,
    )
  })
})

describe("comfyui refusals", () => {
  test("a model ComfyUI does not list is refused with the ones it does", async () => {
    const error = await rejection(comfy().generate(request({ model: "missing_v1" }), live()))
    expect(error).toBeInstanceOf(UpstreamNotFoundError)
    expect((error as Error).message).toContain("Model 'missing_v1' is not offered by ComfyUI at http://127.0.0.1:")
    expect((error as Error).message).toContain("Available: v1-5-pruned-emaonly.safetensors, SDXL/juggernautXL_v9")
  })

  test("validation errors name the node and the input, with the values ComfyUI offers", async () => {
    const provider = comfy()
    await provider.discover()
    fake().models.checkpoints = ["dreamshaper_8.safetensors", "sd_xl_base_1.0.safetensors"]
    const error = await rejection(provider.generate(request({ model: "v1-5-pruned-emaonly.safetensors" }), live()))
    expect(error).toBeInstanceOf(ProviderError)
    expect((error as AppError).code).toBe("workflow_invalid")
    expect((error as Error).message).toContain(
      `node 4 (CheckpointLoaderSimple) ckpt_name: value not in list ("v1-5-pruned-emaonly.safetensors"); available: dreamshaper_8.safetensors, sd_xl_base_1.0.safetensors`,
    )
    const again = await rejection(provider.generate(request({ model: "v1-5-pruned-emaonly.safetensors" }), live()))
    expect(again).toBeInstanceOf(UpstreamNotFoundError)
    expect((again as Error).message).toContain("Available: dreamshaper_8.safetensors, sd_xl_base_1.0.safetensors")
    expect(fake().prompts()).toHaveLength(0)
  })

  test("an out-of-memory in the sampler is reported as such, classified by the exception's type", async () => {
    fake().raiseNext("torch.OutOfMemoryError", "CUDA out of memory. Tried to allocate 20.00 MiB")
    const error = await rejection(comfy().generate(request(), live()))
    expect((error as AppError).code).toBe("out_of_memory")
    expect((error as Error).message).toContain("ComfyUI ran out of GPU memory in node 3 (KSampler)")
  })

  test("an unreachable host is named, without its credentials", async () => {
    const host = (await closedPortUrl()).replace("http://", "http://igm:hunter2-secret@")
    const error = await rejection(createComfyUiProvider({ host }).generate(request(), live()))
    expect((error as AppError).kind).toBe("unavailable")
    expect((error as Error).message).toMatch(/^\[comfyui\] Cannot connect to ComfyUI at http:\/\/127\.0\.0\.1:\d+: /)
    expect((error as Error).message).toContain("IMAGE_GENERATION_MCP_COMFYUI_HOST")
    expect((error as Error).message).not.toContain("hunter2")
  })
})
