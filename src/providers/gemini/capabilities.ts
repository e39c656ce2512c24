import { INT32_MAX, type ModelCapabilities, modelCapabilities } from "../types"
import { type GeminiModel, type ImageSize, takesSeed } from "./models"
import { GEMINI_PROFILES, unknownModelProfile } from "./profiles"

/** Pixels drawn at `1K` per ratio (Google's image-generation guide); 512 is half, 2K twice, 4K four times. */
const ONE_K: Readonly<Record<string, readonly [number, number]>> = {
  "1:1": [1024, 1024],
  "16:9": [1376, 768],
  "9:16": [768, 1376],
  "3:2": [1264, 848],
  "2:3": [848, 1264],
  "3:4": [896, 1200],
  "4:3": [1200, 896],
  "4:5": [928, 1152],
  "5:4": [1152, 928],
  "4:1": [2048, 512],
  "1:4": [512, 2048],
  "8:1": [3072, 384],
  "1:8": [384, 3072],
  "21:9": [1584, 672],
}
const SCALE: Readonly<Record<ImageSize, number>> = { "512": 0.5, "1K": 1, "2K": 2, "4K": 4 }

/** The qualities a model can honour, in the order the tools list them. */
export function qualitiesOf(model: GeminiModel): string[] {
  return model.qualities.hd ? ["standard", "hd"] : ["standard"]
}

/** The long edge of the largest image our qualities make the model draw, when the catalog knows its sizes. */
function maxResolution(model: GeminiModel): number | null {
  const tier = model.qualities.hd ?? model.qualities.standard
  if (!tier) return null
  const edges = model.aspectRatios.map((ratio) => Math.max(...(ONE_K[ratio] ?? [0, 0])) * SCALE[tier])
  return Math.max(...edges)
}

export function geminiModelCapabilities(model: GeminiModel): ModelCapabilities {
  return modelCapabilities({
    model_id: model.id,
    display_name: model.displayName,
    supported_aspect_ratios: [...model.aspectRatios],
    supported_qualities: qualitiesOf(model),
    // A MIME string, unlike the other providers' "png" (as the reference serialises it).
    supported_formats: ["image/png"],
    supports_image_input: true,
    max_input_images: model.maxInputImages,
    max_resolution: maxResolution(model),
    prompt_style: "natural_language",
    supports_seed: takesSeed(model),
    max_seed: INT32_MAX,
    style_profile: model.lifecycle ? GEMINI_PROFILES[model.id] : unknownModelProfile(model),
    watermark: "synthid",
    lifecycle: model.lifecycle,
  })
}
