// The user's own workflows: the README's example as it stands, the tags, the reasons a file is left out, and the
// folder read again when it changes.
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { AppError } from "@/core/errors"
import { solidPng } from "@/providers/solid-png"
import { quadrantPng } from "../../fixture/images"
import { tmpdir } from "../../fixture/tmpdir"
import { ROOT } from "../../helpers/cli"
import { connect } from "../../helpers/mcp"
import { waitFor } from "../../helpers/wait"
import { fakeComfyUi } from "./fake"
import { seedColour } from "./fake/nodes"
import { lastGraph, live, nodeOf, png, rejection, request, useFake } from "./harness"

type Graph = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: { title?: string } }>

/** The example `portrait.json` of the README's "Your own ComfyUI workflows". */
function readmeExample(): Graph {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8")
  const section = readme.split("### Your own ComfyUI workflows")[1] ?? ""
  const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1]
  if (!block) throw new Error("the README has no workflow example")
  return JSON.parse(block)
}

/** The example with changes, as another file. */
function variant(change: (graph: Graph) => void): string {
  const graph = readmeExample()
  change(graph)
  return JSON.stringify(graph)
}

const { fake, comfy } = useFake()

async function withWorkflows(files: Record<string, string>) {
  const dir = await tmpdir("igm-workflows-")
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir.path, name), text)
  return dir
}

describe("comfyui user workflows", () => {
  test("the README's example is offered as workflow:portrait and runs with the call's arguments filled in", async () => {
    await using dir = await withWorkflows({ "portrait.json": JSON.stringify(readmeExample()) })
    const provider = comfy({ workflowsDir: dir.path })
    const caps = await provider.discover()
    const model = caps.models.find((m) => m.model_id === "workflow:portrait")
    expect(model).toMatchObject({
      display_name: "portrait.json",
      supported_aspect_ratios: ["1:1", "16:9", "9:16", "3:2", "2:3"],
      supports_negative_prompt: true,
      supports_image_input: false,
      default_steps: 30,
      default_cfg: 5.5,
      prompt_style: "clip",
    })
    expect(provider.warnings?.()).toEqual([])
    const result = await provider.generate(
      request({ model: "workflow:portrait", aspectRatio: "2:3", prompt: "a lighthouse keeper", seed: 99 }),
      live(),
    )
    const graph = lastGraph(fake())
    expect(graph["6"]?.inputs.text).toBe("a lighthouse keeper")
    expect(graph["7"]?.inputs.text).toBe("lowres, blurry, watermark")
    expect(graph["3"]?.inputs).toMatchObject({ seed: 99, steps: 30, cfg: 5.5, sampler_name: "dpmpp_2m" })
    expect(graph["5"]?.inputs).toMatchObject({ width: 832, height: 1216 })
    expect(Buffer.from(result.data).equals(Buffer.from(solidPng(832, 1216, seedColour(99))))).toBe(true)
    expect(result.metadata).toMatchObject({
      model: "workflow:portrait",
      workflow: "portrait.json",
      seed: 99,
      size: "832x1216",
    })
    await provider.generate(
      request({ model: "workflow:portrait", aspectRatio: "16:9", negativePrompt: "text" }),
      live(),
    )
    expect(lastGraph(fake())["5"]?.inputs).toMatchObject({ width: 1344, height: 752 })
    expect(lastGraph(fake())["7"]?.inputs.text).toBe("text")
  })

  test("a workflow taking a reference: @image gets the upload, @output picks a PreviewImage, @prompt=input binds", async () => {
    const img2img = variant((g) => {
      g["10"] = { class_type: "LoadImage", inputs: { image: "example.png" }, _meta: { title: "Photo @image" } }
      g["12"] = { class_type: "VAEEncode", inputs: { pixels: ["10", 0], vae: ["4", 2] } }
      Object.assign(g["3"]?.inputs ?? {}, { latent_image: ["12", 0], denoise: 0.6 })
      ;(g["3"] as { _meta: { title: string } })._meta.title = "KSampler @strength"
      ;(g["6"] as { _meta: { title: string } })._meta.title = "@prompt=text"
      delete g["5"]
      g["9"] = { class_type: "PreviewImage", inputs: { images: ["8", 0] }, _meta: { title: "@output" } }
      g["11"] = { class_type: "SaveImage", inputs: { filename_prefix: "also", images: ["8", 0] } }
    })
    await using dir = await withWorkflows({ "restyle.json": img2img })
    const provider = comfy({ workflowsDir: dir.path })
    const model = (await provider.discover()).models.find((m) => m.model_id === "workflow:restyle")
    expect(model).toMatchObject({ supports_image_input: true, max_input_images: 1, supports_mask: false })
    const needs = await rejection(provider.generate(request({ model: "workflow:restyle" }), live()))
    expect((needs as Error).message).toBe(
      "[comfyui] Workflow 'workflow:restyle' needs a reference image (it has an @image or @mask node); use transform_image.",
    )
    const noSeed = await rejection(
      provider.generate(
        request({ model: "workflow:restyle", referenceImages: [png(quadrantPng(40, 40))], seed: 3 }),
        live(),
      ),
    )
    expect((noSeed as Error).message).toContain("has no node tagged @seed, so it cannot take a seed")
    const result = await provider.generate(
      request({ model: "workflow:restyle", referenceImages: [png(quadrantPng(40, 40))], strength: 0.3 }),
      live(),
    )
    const graph = lastGraph(fake())
    expect(String(graph["10"]?.inputs.image)).toMatch(/^image-generation-mcp\/[0-9a-f]{20}\.png$/)
    expect(graph["3"]?.inputs.denoise).toBe(0.3)
    expect(await new Bun.Image(result.data).metadata()).toMatchObject({ width: 40, height: 40 })
    expect(result.metadata).toMatchObject({ edited: true, strength: 0.3 })
    expect(result.metadata.seed).toBeUndefined()
  })

  test("without @size a workflow makes its own size and offers only the ratio nearest to it", async () => {
    const fixed = variant((g) => {
      ;(g["5"] as { _meta: { title: string } })._meta.title = "Empty Latent Image"
    })
    await using dir = await withWorkflows({ "fixed.json": fixed })
    const provider = comfy({ workflowsDir: dir.path })
    const model = (await provider.discover()).models.find((m) => m.model_id === "workflow:fixed")
    expect(model?.supported_aspect_ratios).toEqual(["2:3"])
    const error = await rejection(provider.generate(request({ model: "workflow:fixed", aspectRatio: "16:9" }), live()))
    expect((error as AppError).kind).toBe("invalid_input")
    expect((error as Error).message).toBe(
      "[comfyui] Unsupported aspect_ratio '16:9' for model 'workflow:fixed'. Supported: 2:3",
    )
  })

  test("files that cannot be used are left out at discovery, each with its reason", async () => {
    await using dir = await withWorkflows({
      "broken.json": "{ not json",
      "ui.json": JSON.stringify({ nodes: [], links: [], version: 0.4 }),
      "typo.json": variant((g) => {
        ;(g["6"] as { _meta: { title: string } })._meta.title = "@promt"
      }),
      "noprompt.json": variant((g) => {
        ;(g["6"] as { _meta: { title: string } })._meta.title = "Positive"
      }),
      "wrongnode.json": variant((g) => {
        ;(g["7"] as { _meta: { title: string } })._meta.title = "@seed"
      }),
      "custom.json": variant((g) => {
        g["20"] = { class_type: "UltimateSDUpscale", inputs: { image: ["8", 0] } }
      }),
      "invalid.json": variant((g) => {
        Object.assign(g["4"]?.inputs ?? {}, { ckpt_name: "gone.safetensors" })
        Object.assign(g["3"]?.inputs ?? {}, { steps: 0 })
      }),
      "twosaves.json": variant((g) => {
        ;(g["9"] as { _meta: { title: string } })._meta.title = "Save Image"
        g["10"] = { class_type: "SaveImage", inputs: { filename_prefix: "b", images: ["8", 0] } }
      }),
      "notes.txt": "ignored",
    })
    const provider = comfy({ workflowsDir: dir.path })
    const caps = await provider.discover()
    expect(caps.models.filter((m) => m.model_id.startsWith("workflow:"))).toEqual([])
    expect(provider.warnings?.()).toEqual([
      expect.stringMatching(/^workflow broken\.json is not JSON \(/),
      "workflow custom.json does not validate: node 20 uses UltimateSDUpscale, which this ComfyUI does not have (a custom node not installed?)",
      `workflow invalid.json does not validate: node 3 (KSampler) steps: 0 is below the minimum 1; node 4 (CheckpointLoaderSimple) ckpt_name: value not in list ("gone.safetensors"); available: v1-5-pruned-emaonly.safetensors, SDXL/juggernautXL_v9.safetensors, flux1-dev-fp8.safetensors`,
      "workflow noprompt.json has no node tagged @prompt (put @prompt in a text node's title)",
      "workflow twosaves.json has several or no SaveImage nodes; put @output in the title of the node whose images are the result",
      expect.stringMatching(
        /^workflow typo\.json cannot be bound: node 6 \(CLIPTextEncode\) has the unknown tag @promt; known tags: @prompt, /,
      ),
      "workflow ui.json was saved in ComfyUI's UI format; export it with Workflow → Export (API) (Save (API)) instead",
      "workflow wrongnode.json cannot be bound: node 7 (CLIPTextEncode) is tagged @seed but has no input seed or noise_seed",
    ])
  })

  test("the folder is read again when it changes: list_providers shows a new workflow without force_refresh", async () => {
    await using comfyui = fakeComfyUi()
    await using dir = await withWorkflows({})
    await using env = await connect({
      env: { IMAGE_GENERATION_MCP_COMFYUI_HOST: comfyui.url, IMAGE_GENERATION_MCP_COMFYUI_WORKFLOWS_DIR: dir.path },
    })
    const models = async () => {
      const listed = JSON.parse(env.text(await env.call("list_providers"))) as {
        providers: { comfyui: { capabilities: { models: { model_id: string }[] } } }
        warnings: string[]
      }
      return { ids: listed.providers.comfyui.capabilities.models.map((m) => m.model_id), warnings: listed.warnings }
    }
    expect((await models()).ids).not.toContain("workflow:portrait")
    await writeFile(join(dir.path, "portrait.json"), JSON.stringify(readmeExample()))
    await waitFor(async () => (await models()).ids.includes("workflow:portrait"), "the new workflow listed")
    const started = JSON.parse(
      env.text(await env.call("generate_image", { prompt: "x", provider: "comfyui", model: "workflow:portrait" })),
    )
    await env.services.jobs.idle()
    expect(JSON.parse(env.text(await env.call("check_generation_status", { image_id: started.image_id }))).status).toBe(
      "completed",
    )
    await writeFile(join(dir.path, "portrait.json"), "{")
    await waitFor(async () => !(await models()).ids.includes("workflow:portrait"), "the broken workflow dropped")
    expect((await models()).warnings).toEqual([expect.stringMatching(/^comfyui: workflow portrait\.json is not JSON/)])
    await rm(join(dir.path, "portrait.json"))
    await waitFor(async () => (await models()).warnings.length === 0, "the warning gone with the file")
  })

  test("a workflow can be the default model (COMFYUI_MODEL=workflow:<name>)", async () => {
    await using dir = await withWorkflows({ "portrait.json": JSON.stringify(readmeExample()) })
    const provider = comfy({ workflowsDir: dir.path, model: "workflow:portrait" })
    await provider.discover()
    expect(provider.defaultModel).toBe("workflow:portrait")
    await provider.generate(request(), live())
    expect(nodeOf(lastGraph(fake()), "SaveImage").filename_prefix).toBe("portrait")
  })
})
