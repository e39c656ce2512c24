import { type ModelCapabilities, modelCapabilities } from "../types"
import { GEMINI_PROFILES } from "./profiles"

/** A Gemini image model this server knows; discovery is this static list, never an API call. */
export interface GeminiModel {
  id: string
  displayName: string
  /** hd requests turn on TEXT+IMAGE output and thinkingLevel HIGH. */
  thinking: boolean
  maxInputImages: number
}

/** In order of preference; the first is the default. */
export const GEMINI_MODELS: readonly GeminiModel[] = [
  { id: "gemini-3.1-flash-image", displayName: "Gemini 3.1 Flash Image", thinking: true, maxInputImages: 14 },
  { id: "gemini-3-pro-image", displayName: "Gemini 3 Pro Image", thinking: true, maxInputImages: 14 },
  { id: "gemini-3.1-flash-lite-image", displayName: "Gemini 3.1 Flash Lite Image", thinking: true, maxInputImages: 14 },
  { id: "gemini-2.5-flash-image", displayName: "Gemini 2.5 Flash Image", thinking: false, maxInputImages: 3 },
]

export const DEFAULT_GEMINI_MODEL = "gemini-3.1-flash-image"

/** Reference-image cap for a model id this list does not know. */
export const UNKNOWN_MODEL_MAX_INPUT_IMAGES = 3

/** Passed through to `imageConfig.aspectRatio` unchanged. */
export const GEMINI_ASPECT_RATIOS: readonly string[] = [
  "1:1",
  "16:9",
  "9:16",
  "3:2",
  "2:3",
  "3:4",
  "4:3",
  "4:5",
  "5:4",
  "4:1",
  "1:4",
  "8:1",
  "1:8",
  "21:9",
]

/** The known model with this id, or a conservative stand-in (no thinking, 3 references) for an unknown one. */
export function geminiModel(id: string): GeminiModel {
  return (
    GEMINI_MODELS.find((m) => m.id === id) ?? {
      id,
      displayName: id,
      thinking: false,
      maxInputImages: UNKNOWN_MODEL_MAX_INPUT_IMAGES,
    }
  )
}

export function geminiModelCapabilities(model: GeminiModel): ModelCapabilities {
  return modelCapabilities({
    model_id: model.id,
    display_name: model.displayName,
    supported_aspect_ratios: [...GEMINI_ASPECT_RATIOS],
    supported_qualities: ["standard", "hd"],
    // A MIME string, unlike the other providers' "png" (as the reference serialises it).
    supported_formats: ["image/png"],
    supports_image_input: true,
    max_input_images: model.maxInputImages,
    prompt_style: "natural_language",
    style_profile: GEMINI_PROFILES[model.id],
    watermark: "synthid",
  })
}
