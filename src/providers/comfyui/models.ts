import { checkpointProfile } from "../local/checkpoints"
import { LOCAL_ASPECT_RATIOS, type LocalPreset, maxEdge, presetFor } from "../local/presets"
import { type ModelCapabilities, modelCapabilities } from "../types"
import { findBatchSlot } from "./batch"
import type { Catalog } from "./object-info"
import { TEMPLATES, type Template, templateProblem } from "./templates"
import type { UserWorkflow } from "./workflows"

/** What a model id stands for on this ComfyUI. */
export type ComfyModel =
  | { kind: "checkpoint"; id: string; preset: LocalPreset }
  | { kind: "diffusion"; id: string; preset: LocalPreset; textEncoders: [string, string]; vae: string }
  | { kind: "workflow"; id: string; workflow: UserWorkflow }

/** Flux.1 diffusion models run with the built-in Flux template; other architectures need a user workflow. */
const FLUX_TEMPLATE_ARCHITECTURES = new Set(["flux_dev", "flux_schnell"])

const pick = (names: readonly string[], pattern: RegExp) => names.find((n) => pattern.test(n.toLowerCase()))

/**
 * The models a ComfyUI offers: its checkpoints (the checkpoint templates), the Flux diffusion models it has text
 * encoders and a VAE for (the Flux template), and the user's workflows. `problems` says what is left out and why.
 */
export function listModels(
  catalog: Catalog,
  workflows: readonly UserWorkflow[],
): { models: ComfyModel[]; problems: string[] } {
  const problems: string[] = []
  const models: ComfyModel[] = []
  const usable = (template: Template) => {
    const problem = templateProblem(template, catalog)
    if (problem && !problems.includes(problem)) problems.push(problem)
    return !problem
  }
  if (catalog.checkpoints.length && usable(TEMPLATES.txt2img)) {
    for (const id of catalog.checkpoints) models.push({ kind: "checkpoint", id, preset: presetFor(id) })
  }
  const flux = catalog.diffusionModels.filter((id) => FLUX_TEMPLATE_ARCHITECTURES.has(presetFor(id).architecture))
  const others = catalog.diffusionModels.filter((id) => !flux.includes(id))
  if (others.length) {
    problems.push(
      `diffusion models without a built-in workflow (use one of yours from IMAGE_GENERATION_MCP_COMFYUI_WORKFLOWS_DIR): ${others.join(", ")}`,
    )
  }
  if (flux.length && usable(TEMPLATES["txt2img-flux"])) {
    const t5 = pick(catalog.textEncoders, /t5xxl/)
    const clipL = pick(catalog.textEncoders, /clip_l/)
    const vae = pick(catalog.vaes, /^(.*[/\\])?ae\.(safetensors|sft)$|flux/)
    if (t5 && clipL && vae) {
      for (const id of flux)
        models.push({ kind: "diffusion", id, preset: presetFor(id), textEncoders: [t5, clipL], vae })
    } else {
      problems.push(
        `Flux diffusion models need the t5xxl and clip_l text encoders (models/text_encoders) and the Flux VAE ae.safetensors (models/vae); missing: ${[!t5 && "t5xxl", !clipL && "clip_l", !vae && "ae.safetensors"].filter(Boolean).join(", ")}`,
      )
    }
  }
  for (const workflow of workflows) models.push({ kind: "workflow", id: workflow.id, workflow })
  return { models, problems }
}

/** The capabilities list_providers shows for a model. */
export function capabilitiesOf(model: ComfyModel, catalog: Catalog): ModelCapabilities {
  if (model.kind === "workflow") return model.workflow.capabilities
  const { preset } = model
  const references = model.kind === "checkpoint" && !templateProblem(TEMPLATES.img2img, catalog)
  const masks = references && !templateProblem(TEMPLATES.inpaint, catalog)
  const templates =
    model.kind === "diffusion"
      ? [TEMPLATES["txt2img-flux"]]
      : [TEMPLATES.txt2img, ...(references ? [TEMPLATES.img2img] : []), ...(masks ? [TEMPLATES.inpaint] : [])]
  return modelCapabilities({
    model_id: model.id,
    display_name: stem(model.id),
    supports_mask: masks,
    supported_aspect_ratios: [...LOCAL_ASPECT_RATIOS],
    supported_qualities: ["standard"],
    supported_formats: ["png"],
    supports_negative_prompt: model.kind === "checkpoint" && preset.negativePrompt,
    supports_image_input: references,
    max_input_images: references ? 1 : 0,
    max_resolution: maxEdge(preset),
    default_steps: preset.steps,
    default_cfg: preset.guidance ?? preset.cfg,
    prompt_style: preset.promptStyle,
    supports_seed: true,
    max_seed: Number.MAX_SAFE_INTEGER,
    // One number for every workflow the model may run: the smallest batch any of them takes.
    max_batch_size: Math.min(...templates.map((t) => findBatchSlot(t.graph, catalog)?.max ?? 1)),
    style_profile: checkpointProfile(model.id),
  })
}

/** A file name without folders and extension: `SDXL/juggernautXL_v9.safetensors` → `juggernautXL_v9`. */
export const stem = (path: string) => (path.split(/[/\\]/).at(-1) ?? path).replace(/\.[^.]+$/, "")

/** The listed model a user's name means: its id, else a unique display name (case-insensitive). */
export function findModel(models: readonly ComfyModel[], name: string): ComfyModel | undefined {
  const wanted = name.trim()
  const exact = models.find((m) => m.id === wanted)
  if (exact) return exact
  const lower = wanted.toLowerCase()
  const loose = models.filter((m) => m.id.toLowerCase() === lower || stem(m.id).toLowerCase() === lower)
  return loose.length === 1 ? loose[0] : undefined
}
