export type PromptStyle = "clip" | "natural_language"
/** A model's stage as shown in its style profile; a retired model is never offered, so it has no profile stage. */
export type Lifecycle = "current" | "legacy" | "deprecated"

/** Where a model stands with its vendor, with the dates that say so (see providers/lifecycle.ts). */
export interface ModelLifecycle {
  stage: Lifecycle | "retired"
  /** YYYY-MM-DD the stage began or was announced. */
  since?: string
  /** YYYY-MM-DD the vendor stops serving the model; from that day on it counts as retired. */
  shutdown?: string
  /** The model to use instead. */
  replacement?: string
}

/** Per-model prose that helps a model write prompts that suit the model. */
export interface StyleProfile {
  label: string
  style_hints: string
  incompatible_styles: string
  good_example: string
  bad_example: string
  lifecycle: Lifecycle
  deprecation_note?: string
}

/** One model's abilities, serialised with its keys in this order (the reference's JSON shape). */
export interface ModelCapabilities {
  model_id: string
  display_name: string
  can_generate: boolean
  can_edit: boolean
  supports_mask: boolean
  supported_aspect_ratios: string[]
  supported_qualities: string[]
  supported_formats: string[]
  supports_negative_prompt: boolean
  supports_background: boolean
  supports_image_input: boolean
  max_input_images: number
  max_resolution: number | null
  default_steps: number | null
  default_cfg: number | null
  prompt_style: PromptStyle | null
  /** Whether a request may carry a seed; the same seed with the same request repeats the image (best effort). */
  supports_seed: boolean
  /** The largest seed the model takes (0 is the smallest); null when it takes none. */
  max_seed: number | null
  /** Images one upstream request can make (`generateBatch`); 1 when each image is its own request. */
  max_batch_size: number
  style_profile?: StyleProfile
  watermark?: "synthid" | "none"
  /** The vendor's lifecycle, for models the catalog knows. */
  lifecycle?: ModelLifecycle
}

export interface ProviderCapabilities {
  provider_name: string
  models: ModelCapabilities[]
  supports_background: boolean
  supports_negative_prompt: boolean
  /** Epoch seconds of the discovery attempt. */
  discovered_at: number
  degraded: boolean
}

export interface InputImage {
  data: Uint8Array
  contentType: "image/png" | "image/jpeg" | "image/webp"
  sourceId: string | null
}

export interface GenerateRequest {
  prompt: string
  negativePrompt?: string | null
  aspectRatio: string
  quality: string
  background: string
  model?: string | null
  referenceImages?: InputImage[]
  strength?: number | null
  mask?: InputImage | null
  seed?: number | null
  /**
   * Image k of the batch `seed` made, to be made alone. Only providers whose batches share one seed read it (they
   * record `seed_batch_index` k in each image's metadata: ComfyUI); others give image i its own seed S+i.
   */
  seedBatchIndex?: number | null
}

export interface GenerateResult {
  data: Uint8Array
  contentType: string
  metadata: Record<string, unknown>
}

export type ProgressCallback = (fraction: number, message: string) => void

/** A picture of the work in progress (a partial image, a sampling step): shown while generating, never stored. */
export interface PreviewImage {
  data: Uint8Array
  contentType: string
}

export type PreviewCallback = (image: PreviewImage) => void

export interface GenerateOptions {
  signal: AbortSignal
  onProgress?: ProgressCallback
  /**
   * Set when the caller wants live previews: a provider that can show the work in progress asks for it (only then,
   * since previews may cost money or upstream time) and calls this with each new one. Unset: none is asked for.
   */
  onPreview?: PreviewCallback
}

/** One image vendor behind one small interface. Optional features are optional methods. */
export interface ImageProvider {
  readonly name: string
  readonly description: string
  /** The model used when a request names none, when the provider knows it. */
  readonly defaultModel?: string
  discover(signal?: AbortSignal): Promise<ProviderCapabilities>
  generate(request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult>
  /**
   * Makes `count` images (2 up to the model's `max_batch_size`) in one upstream request, in order. With a seed S the
   * images are seeds S, S+1, …; each result's metadata names its own seed when known. Providers without it get one
   * `generate` call per image (docs/decisions.md#batches).
   */
  generateBatch?(request: GenerateRequest, count: number, options: GenerateOptions): Promise<GenerateResult[]>
  /** Checks that the vendor answers with these credentials; throws with the reason when it does not. */
  ping?(signal: AbortSignal): Promise<void>
  /** Problems the last discovery found that the user should see in list_providers (an unreachable service, a file it could not use). */
  warnings?(): string[]
  /** Calls `listener` when the models change without a request (a workflow file added); the caller discovers again. */
  onModelsChanged?(listener: () => void): void
  dispose?(): Promise<void>
}

export type ProviderFactory<O> = (options: O, deps?: { fetch?: typeof fetch }) => ImageProvider

/** The largest seed most local engines take (a 32-bit unsigned integer). */
export const UINT32_MAX = 4_294_967_295
/** The largest seed Gemini takes (`generationConfig.seed` is a signed 32-bit integer). */
export const INT32_MAX = 2_147_483_647

/** Builds a model entry with the reference defaults, keeping the serialised key order. */
export function modelCapabilities(
  fields: Pick<ModelCapabilities, "model_id" | "display_name"> & Partial<ModelCapabilities>,
): ModelCapabilities {
  const model: ModelCapabilities = {
    model_id: fields.model_id,
    display_name: fields.display_name,
    can_generate: fields.can_generate ?? true,
    can_edit: fields.can_edit ?? false,
    supports_mask: fields.supports_mask ?? false,
    supported_aspect_ratios: fields.supported_aspect_ratios ?? [],
    supported_qualities: fields.supported_qualities ?? [],
    supported_formats: fields.supported_formats ?? [],
    supports_negative_prompt: fields.supports_negative_prompt ?? false,
    supports_background: fields.supports_background ?? false,
    supports_image_input: fields.supports_image_input ?? false,
    max_input_images: fields.max_input_images ?? 0,
    max_resolution: fields.max_resolution ?? null,
    default_steps: fields.default_steps ?? null,
    default_cfg: fields.default_cfg ?? null,
    prompt_style: fields.prompt_style ?? null,
    supports_seed: fields.supports_seed ?? false,
    max_seed: fields.supports_seed ? (fields.max_seed ?? UINT32_MAX) : null,
    max_batch_size: fields.max_batch_size ?? 1,
  }
  if (fields.style_profile) model.style_profile = fields.style_profile
  if (fields.watermark) model.watermark = fields.watermark
  if (fields.lifecycle) model.lifecycle = fields.lifecycle
  return model
}

/** Capabilities for a provider, aggregating the per-model flags. */
export function providerCapabilities(
  name: string,
  models: ModelCapabilities[],
  degraded = false,
): ProviderCapabilities {
  return {
    provider_name: name,
    models,
    supports_background: models.some((m) => m.supports_background),
    supports_negative_prompt: models.some((m) => m.supports_negative_prompt),
    discovered_at: Date.now() / 1000,
    degraded,
  }
}
