// From a request and a model to the prompt ComfyUI runs: the workflow (a built-in template or the user's), the
// values its tags take, and the metadata stored with the image.
import { ProviderError } from "../errors"
import { LOCAL_ASPECT_RATIOS, type LocalAspectRatio, sizeForRatio, sizeForShape } from "../local/presets"
import type { GenerateRequest, InputImage } from "../types"
import { type BatchSlot, findBatchSlot, withBatch, withBatchImage } from "./batch"
import { type ApiWorkflow, fill, hasTag, type Values } from "./bindings"
import { PROVIDER } from "./http"
import type { ComfyModel } from "./models"
import type { Catalog } from "./object-info"
import { TEMPLATES } from "./templates"

export interface Plan {
  graph: ApiWorkflow
  output: string
  metadata: Record<string, unknown>
}

export interface PlanInput {
  model: ComfyModel
  request: GenerateRequest
  catalog: Catalog
  seed: number
  /** Images the prompt makes (the workflow's batch size). */
  count: number
  /** Make only image k of the batch this seed makes (count is then 1); see batch.ts withBatchImage. */
  batchIndex?: number
  reference?: InputImage
  /** The uploaded reference's name, as LoadImage takes it. */
  referenceName?: string
  /** The uploaded reference with the mask in its alpha channel. */
  maskName?: string
}

export async function plan(input: PlanInput): Promise<Plan> {
  return input.model.kind === "workflow" ? planWorkflow(input) : planTemplate(input)
}

const offered = (list: readonly string[], wanted: string, fallback: string) =>
  list.length === 0 || list.includes(wanted) ? wanted : fallback

async function planTemplate(input: PlanInput): Promise<Plan> {
  const { model, request, catalog, reference } = input
  if (model.kind === "workflow") throw new Error("not a template model")
  const template =
    model.kind === "diffusion"
      ? TEMPLATES["txt2img-flux"]
      : input.maskName
        ? TEMPLATES.inpaint
        : reference
          ? TEMPLATES.img2img
          : TEMPLATES.txt2img
  const { preset } = model
  const [width, height] = reference
    ? await referenceSize(reference, (w, h) => sizeForShape(preset, w, h), sizeForRatio(preset, request.aspectRatio))
    : sizeForRatio(preset, request.aspectRatio)
  const sampler = offered(catalog.samplers, preset.sampler, "euler")
  const scheduler = offered(catalog.schedulers, preset.scheduler, "normal")
  const strength = reference ? (request.strength ?? (input.maskName ? 1 : 0.75)) : undefined
  const values: Values = {
    prompt: request.prompt,
    negative_prompt: preset.negativePrompt ? request.negativePrompt || "" : "",
    seed: input.seed,
    size: [width, height],
    image: input.maskName ?? input.referenceName,
    mask: input.maskName,
    strength,
    model: model.id,
    steps: preset.steps,
    cfg: preset.cfg,
    sampler,
    scheduler,
    guidance: preset.guidance,
    text_encoders: model.kind === "diffusion" ? model.textEncoders : undefined,
    vae: model.kind === "diffusion" ? model.vae : undefined,
  }
  const metadata: Record<string, unknown> = {
    quality: preset.qualityTier,
    model: model.id,
    architecture: preset.architecture,
    workflow: template.name,
    size: `${width}x${height}`,
    steps: preset.steps,
    sampler,
    scheduler,
    prompt_style: preset.promptStyle,
    seed: input.seed,
  }
  if (model.kind === "checkpoint") metadata.cfg_scale = preset.cfg
  if (preset.guidance !== undefined && model.kind === "diffusion") metadata.guidance = preset.guidance
  if (strength !== undefined) Object.assign(metadata, { strength, edited: true })
  const graph = batched(fill(template.graph, template.bindings, values), findBatchSlot(template.graph, catalog), input)
  return { graph, output: template.output, metadata }
}

async function planWorkflow(input: PlanInput): Promise<Plan> {
  const { model, request, reference } = input
  if (model.kind !== "workflow") throw new Error("not a workflow model")
  const { workflow } = model
  const { bindings } = workflow
  const takes = hasTag(bindings, "image") || hasTag(bindings, "mask")
  if (takes && !reference) {
    throw refused(
      `Workflow '${model.id}' needs a reference image (it has an @image or @mask node); use transform_image.`,
    )
  }
  if (hasTag(bindings, "mask") && !input.maskName) {
    throw refused(`Workflow '${model.id}' needs a mask (it has an @mask node); pass mask to transform_image.`)
  }
  if (request.seed != null && !hasTag(bindings, "seed")) {
    throw refused(`Workflow '${model.id}' has no node tagged @seed, so it cannot take a seed.`)
  }
  let size: readonly [number, number] | undefined
  if (workflow.sizes) {
    const square = workflow.sizes["1:1"]
    const ratio = request.aspectRatio as LocalAspectRatio
    const byRatio = workflow.sizes[ratio] ?? square
    size = reference ? await referenceSize(reference, (w, h) => shaped(square[0] * square[1], w, h), byRatio) : byRatio
  }
  const values: Values = {
    prompt: request.prompt,
    // Without one in the call, the workflow's own negative prompt stays.
    negative_prompt: request.negativePrompt || undefined,
    seed: input.seed,
    size,
    image: input.maskName ?? input.referenceName,
    mask: input.maskName,
    strength: request.strength ?? undefined,
  }
  const metadata: Record<string, unknown> = { model: model.id, workflow: workflow.file }
  if (size) metadata.size = `${size[0]}x${size[1]}`
  if (hasTag(bindings, "seed")) metadata.seed = input.seed
  if (reference) metadata.edited = true
  if (values.strength !== undefined) metadata.strength = values.strength
  return {
    graph: batched(fill(workflow.graph, bindings, values), workflow.batch, input),
    output: workflow.output,
    metadata,
  }
}

/**
 * `graph` making `input.count` images, or image `input.batchIndex` of its seed's batch alone; refused when the
 * workflow cannot batch that many (the caller splits) or cannot pick that image.
 */
function batched(graph: ApiWorkflow, slot: BatchSlot | undefined, input: PlanInput): ApiWorkflow {
  const k = input.batchIndex
  if (k) {
    const picked = withBatchImage(graph, slot, k, input.catalog)
    if ("graph" in picked) return picked.graph
    throw refused(
      `Image ${k} of the batch of seed ${input.seed} cannot be made alone on model '${input.model.id}': ${picked.problem}. Regenerating with a seed or n in changes makes a new batch instead.`,
    )
  }
  if (slot && input.count <= slot.max) return withBatch(graph, slot, input.count)
  if (input.count === 1) return graph
  throw refused(
    `Model '${input.model.id}' makes at most ${slot?.max ?? 1} image(s) per ComfyUI prompt; asked for ${input.count}.`,
  )
}

/** The aspect ratios a template model takes; anything else is refused rather than squared. */
export function checkRatio(model: ComfyModel, aspectRatio: string): void {
  const supported =
    model.kind === "workflow" ? model.workflow.capabilities.supported_aspect_ratios : [...LOCAL_ASPECT_RATIOS]
  if (!supported.includes(aspectRatio)) {
    throw refused(
      `Unsupported aspect_ratio '${aspectRatio}' for model '${model.id}'. Supported: ${supported.join(", ")}`,
    )
  }
}

async function referenceSize(
  reference: InputImage,
  forShape: (width: number, height: number) => readonly [number, number],
  fallback: readonly [number, number],
): Promise<readonly [number, number]> {
  const meta = await new Bun.Image(reference.data).metadata().catch(() => undefined)
  return meta ? forShape(meta.width, meta.height) : fallback
}

/** `width × height`'s shape at `pixels`, in multiples of 16. */
function shaped(pixels: number, width: number, height: number): readonly [number, number] {
  const snap = (n: number) => Math.max(16, Math.round(n / 16) * 16)
  return [snap(Math.sqrt((pixels * width) / height)), snap(Math.sqrt((pixels * height) / width))]
}

const refused = (message: string) =>
  new ProviderError(PROVIDER, message, { kind: "invalid_input", code: "invalid_request" })
