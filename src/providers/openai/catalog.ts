import { type ModelCapabilities, type ModelLifecycle, modelCapabilities } from "../types"
import { OPENAI_PROFILES } from "./profiles"
import { FIXED_SIZES, FREE_SIZE_RATIOS, freeSize, type SizeTier } from "./sizes"

export const PROVIDER_NAME = "openai"

/** The model a request runs on when it names none and IMAGE_GENERATION_MCP_OPENAI_MODEL is unset. */
export const DEFAULT_MODEL = "gpt-image-2.6-sunburst"

/** Reference images one edit call accepts (openai SDK `images.d.ts`, ImageEditParamsBase.image). */
export const MAX_INPUT_IMAGES = 16

/** Images one generations or edits call makes (`n`, 1–10 in the SDK's `images.d.ts`). */
export const MAX_IMAGES_PER_REQUEST = 10

/** What the API takes from one model, beyond what every GPT Image model shares. */
export interface OpenAIModelSpec {
  /** `free`: any size meeting the rules in sizes.ts; `fixed`: the three sizes every GPT Image model takes. */
  sizes: "free" | "fixed"
  /** `background: "transparent"` is served (not refused, not a per-organisation preview). */
  transparency: boolean
  /** API `quality` values beyond low, medium, high and auto. */
  extraQualities: readonly string[]
}

const FREE_OPAQUE: OpenAIModelSpec = { sizes: "free", transparency: false, extraQualities: [] }
const FREE_CLEAR: OpenAIModelSpec = { sizes: "free", transparency: true, extraQualities: ["xhigh", "max"] }
/** For a model the catalog does not know: only what every GPT Image model takes. */
export const UNKNOWN_SPEC: OpenAIModelSpec = { sizes: "fixed", transparency: false, extraQualities: [] }

interface CatalogRow {
  id: string
  name: string
  lifecycle: ModelLifecycle
  spec?: OpenAIModelSpec
}

const current = (since: string): ModelLifecycle => ({ stage: "current", since })

// Lifecycle sources: openai SDK 7.57 `resources/images.d.ts` (ImageModel, the `model` docs: dall-e-2/3 retired
// 2026-05-12, gpt-image-1 shut down 2026-10-23); https://developers.openai.com/api/docs/deprecations (notice
// 2026-06-02: gpt-image-1-mini, gpt-image-1.5 and its snapshot, chatgpt-image-latest shut down 2026-12-01, replaced
// by gpt-image-2.6-sunburst or -flare); the launch dates of 2 (2026-04-21), 2.5 (2026-09-08) and 2.6 (2026-11-04).
// Order matters: oldest first, an alias after its snapshot, so "the newest fitting current model" is the last one.
const ROWS: readonly CatalogRow[] = [
  { id: "dall-e-2", name: "DALL-E 2", lifecycle: retired("2026-05-12", "gpt-image-2.5-sunburst") },
  { id: "dall-e-3", name: "DALL-E 3", lifecycle: retired("2026-05-12", "gpt-image-2.5-sunburst") },
  { id: "gpt-image-1", name: "GPT Image 1", lifecycle: retired("2026-10-23", "gpt-image-2.5-sunburst") },
  { id: "gpt-image-1-mini", name: "GPT Image 1 Mini", lifecycle: shutDown("gpt-image-2.6-flare") },
  { id: "gpt-image-1.5", name: "GPT Image 1.5", lifecycle: shutDown("gpt-image-2.6-sunburst") },
  { id: "gpt-image-1.5-2025-12-16", name: "GPT Image 1.5 (2025-12-16)", lifecycle: shutDown("gpt-image-2.6-sunburst") },
  { id: "chatgpt-image-latest", name: "ChatGPT Image (latest)", lifecycle: shutDown("gpt-image-2.6-sunburst") },
  {
    id: "gpt-image-2-2026-04-21",
    name: "GPT Image 2 (2026-04-21)",
    lifecycle: current("2026-04-21"),
    spec: FREE_OPAQUE,
  },
  { id: "gpt-image-2", name: "GPT Image 2", lifecycle: current("2026-04-21"), spec: FREE_OPAQUE },
  {
    id: "gpt-image-2.5-flare-2026-09-08",
    name: "GPT Image 2.5 Flare (2026-09-08)",
    lifecycle: current("2026-09-08"),
    spec: FREE_CLEAR,
  },
  { id: "gpt-image-2.5-flare", name: "GPT Image 2.5 Flare", lifecycle: current("2026-09-08"), spec: FREE_CLEAR },
  {
    id: "gpt-image-2.5-sunburst-2026-09-08",
    name: "GPT Image 2.5 Sunburst (2026-09-08)",
    lifecycle: current("2026-09-08"),
    spec: FREE_CLEAR,
  },
  { id: "gpt-image-2.5-sunburst", name: "GPT Image 2.5 Sunburst", lifecycle: current("2026-09-08"), spec: FREE_CLEAR },
  { id: "gpt-image-2.6-flare", name: "GPT Image 2.6 Flare", lifecycle: current("2026-11-04"), spec: FREE_CLEAR },
  { id: "gpt-image-2.6-sunburst", name: "GPT Image 2.6 Sunburst", lifecycle: current("2026-11-04"), spec: FREE_CLEAR },
]

function retired(shutdown: string, replacement: string): ModelLifecycle {
  return { stage: "retired", shutdown, replacement }
}

/** Deprecated on 2026-06-02 with a shutdown on 2026-12-01: retired from that day on (see lifecycle.ts). */
function shutDown(replacement: string): ModelLifecycle {
  return { stage: "deprecated", since: "2026-06-02", shutdown: "2026-12-01", replacement }
}

/** The ratios a model with this spec is offered with. */
export function ratiosOf(spec: OpenAIModelSpec): string[] {
  return spec.sizes === "free" ? [...FREE_SIZE_RATIOS] : Object.keys(FIXED_SIZES)
}

/** The API `size` for a ratio and tier on a model with this spec; null when the model cannot draw that ratio. */
export function sizeOf(spec: OpenAIModelSpec, ratio: string, tier: SizeTier): string | null {
  if (spec.sizes === "fixed") return FIXED_SIZES[ratio] ?? null
  return (FREE_SIZE_RATIOS as readonly string[]).includes(ratio) ? freeSize(ratio, tier) : null
}

/** The capabilities a model with this spec reports. */
export function capabilitiesOf(
  id: string,
  name: string,
  spec: OpenAIModelSpec,
  extra: Partial<ModelCapabilities> = {},
): ModelCapabilities {
  return modelCapabilities({
    model_id: id,
    display_name: name,
    can_edit: true,
    supports_mask: true,
    supported_aspect_ratios: ratiosOf(spec),
    supported_qualities: ["standard", "hd"],
    supported_formats: ["png", "jpeg", "webp"],
    supports_background: spec.transparency,
    supports_image_input: true,
    max_input_images: MAX_INPUT_IMAGES,
    max_resolution: spec.sizes === "free" ? 2560 : 1536,
    max_batch_size: MAX_IMAGES_PER_REQUEST,
    ...extra,
  })
}

/** Every image model OpenAI served in 2026, retired ones included so they can be refused naming the replacement. */
export const OPENAI_CATALOG: readonly ModelCapabilities[] = ROWS.map((row) =>
  row.spec
    ? capabilitiesOf(row.id, row.name, row.spec, { style_profile: OPENAI_PROFILES[row.id], lifecycle: row.lifecycle })
    : modelCapabilities({ model_id: row.id, display_name: row.name, lifecycle: row.lifecycle }),
)

/** The request rules of a catalog model; undefined for retired models and ids the catalog does not know. */
export function specOf(id: string): OpenAIModelSpec | undefined {
  return ROWS.find((row) => row.id === id)?.spec
}
