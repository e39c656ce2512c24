import { ProviderError } from "../errors"
import { type InputImage, type ModelCapabilities, modelCapabilities } from "../types"
import { OPENAI_PROFILES } from "./profiles"

export const PROVIDER_NAME = "openai"

/** Reference images one gpt-image edit call accepts. */
export const MAX_INPUT_IMAGES = 16

const GPT_IMAGE_SIZES: Record<string, string> = {
  "1:1": "1024x1024",
  "16:9": "1536x1024",
  "9:16": "1024x1536",
  "3:2": "1536x1024",
  "2:3": "1024x1536",
}

const DALLE_SIZES: Record<string, string> = {
  "1:1": "1024x1024",
  "16:9": "1792x1024",
  "9:16": "1024x1792",
  "3:2": "1792x1024",
  "2:3": "1024x1792",
}

const RATIOS = Object.keys(GPT_IMAGE_SIZES)

/** gpt-image models that reject the `background` parameter. */
const NO_BACKGROUND = new Set(["gpt-image-2", "chatgpt-image-latest"])

const EXTENSIONS: Record<string, string> = { "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp" }

/** The gpt-image family takes the native path (output_format, edits); anything else is treated as DALL·E. */
export function isGptImage(model: string): boolean {
  return model.startsWith("gpt-image") || model === "chatgpt-image-latest"
}

export function sendsBackground(model: string): boolean {
  return isGptImage(model) && !NO_BACKGROUND.has(model)
}

/** The API `size` for an aspect ratio on the model's path. */
export function sizeFor(model: string, aspectRatio: string): string {
  const size = (isGptImage(model) ? GPT_IMAGE_SIZES : DALLE_SIZES)[aspectRatio]
  if (size) return size
  const supported = [...RATIOS].sort().join(", ")
  throw new ProviderError(PROVIDER_NAME, `Unsupported aspect_ratio '${aspectRatio}'. Supported: ${supported}`)
}

/** gpt-image speaks low/medium/high/auto; the project's standard/hd map onto it. DALL·E takes them raw. */
export function apiQuality(model: string, quality: string): string {
  if (!isGptImage(model)) return quality
  if (quality === "standard") return "auto"
  if (quality === "hd") return "high"
  return quality
}

/** The upload file name for an input image, e.g. `reference_0.png` or `mask.webp`. */
export function uploadName(stem: string, image: InputImage): string {
  const ext = EXTENSIONS[image.contentType]
  if (ext) return `${stem}${ext}`
  const supported = Object.keys(EXTENSIONS).sort().join(", ")
  throw new ProviderError(
    PROVIDER_NAME,
    `Unsupported input image content type '${image.contentType}'. Supported: ${supported}`,
  )
}

function gptImage(model_id: string, display_name: string, background: boolean): ModelCapabilities {
  return modelCapabilities({
    model_id,
    display_name,
    can_edit: true,
    supports_mask: true,
    supported_aspect_ratios: [...RATIOS],
    supported_qualities: ["standard", "hd"],
    supported_formats: ["png", "jpeg", "webp"],
    supports_background: background,
    supports_image_input: true,
    max_input_images: MAX_INPUT_IMAGES,
    max_resolution: 1536,
    style_profile: OPENAI_PROFILES[model_id],
  })
}

/** Every image model the provider knows, in the order discovery reports them. */
export const KNOWN_MODELS: readonly ModelCapabilities[] = [
  gptImage("gpt-image-1", "GPT Image 1", true),
  gptImage("gpt-image-1-mini", "GPT Image 1 Mini", true),
  gptImage("gpt-image-1.5", "GPT Image 1.5", true),
  gptImage("gpt-image-2", "GPT Image 2", false),
  gptImage("chatgpt-image-latest", "ChatGPT Image (latest)", false),
  modelCapabilities({
    model_id: "dall-e-3",
    display_name: "DALL-E 3",
    supported_aspect_ratios: [...RATIOS],
    supported_qualities: ["standard", "hd"],
    supported_formats: ["png"],
    max_resolution: 1792,
    style_profile: OPENAI_PROFILES["dall-e-3"],
  }),
  modelCapabilities({
    model_id: "dall-e-2",
    display_name: "DALL-E 2",
    can_edit: true,
    supported_aspect_ratios: ["1:1"],
    supported_qualities: ["standard"],
    supported_formats: ["png"],
    max_resolution: 1024,
    style_profile: OPENAI_PROFILES["dall-e-2"],
  }),
]
