import type { ModelLifecycle } from "../types"

/** The `imageConfig.imageSize` tiers of the API (`"512"` is the 0.5K tier; the K is upper case on the wire). */
export type ImageSize = "512" | "1K" | "2K" | "4K"

/** The ten ratios every Gemini image model takes. */
const RATIOS_10 = ["1:1", "16:9", "9:16", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "21:9"] as const
/** The ten plus the four banner ratios of Gemini 3.1 Flash Image and Nano Banana 2.1. */
const RATIOS_14 = [...RATIOS_10.slice(0, 9), "4:1", "1:4", "8:1", "1:8", "21:9"] as const

/** A Gemini image model: where it stands with Google, and what the API accepts from it. */
export interface GeminiModel {
  id: string
  displayName: string
  /** Absent for a model the catalog does not know. */
  lifecycle?: ModelLifecycle
  aspectRatios: readonly string[]
  /** The `imageSize` tiers the API accepts for it; empty when it takes no `imageSize` (2.5 and older). */
  imageSizes: readonly ImageSize[]
  /** What our qualities ask for; a quality missing here is refused for the model. */
  qualities: { standard: ImageSize | null; hd?: ImageSize }
  /**
   * The `thinkingLevel` sent with `hd`; none for models whose thinking is fixed (Pro: "cannot be disabled",
   * and its preview refused `thinkingLevel`) or absent (2.5, which refuses any `thinkingConfig`).
   */
  hdThinkingLevel?: "HIGH"
  maxInputImages: number
}

/**
 * The model used when neither the request nor IMAGE_GENERATION_MCP_GEMINI_MODEL names one: Google's current
 * general model, the replacement of the deprecated 3.1 Flash Image, with all 14 ratios and 1K–4K, at about a
 * quarter of Pro's price per image (about $0.034 against $0.134 at 1K).
 */
export const DEFAULT_GEMINI_MODEL = "gemini-nano-banana-2.1"

/**
 * Every Gemini image model Google served through generateContent in 2025–2026, oldest first; the service's models
 * list decides which of the served ones are offered (see discovery.ts), and a retired one is refused naming its
 * replacement: the current successor rather than Google's replacement of the day, which may itself be gone.
 * Sources: Google's Gemini API changelog, deprecations page and image-generation guide, as quoted in the fake's
 * header (test/fixture/fake-gemini).
 */
export const GEMINI_MODELS: readonly GeminiModel[] = [
  retired("gemini-2.0-flash-exp-image-generation", "Gemini 2.0 Flash Image (experimental)", "2025-11-14"),
  retired("gemini-2.0-flash-preview-image-generation", "Gemini 2.0 Flash Image (preview)", "2025-11-14"),
  retired("gemini-2.5-flash-image-preview", "Gemini 2.5 Flash Image (preview)", "2026-01-15"),
  // Google announced the shutdown for 2026-10-02 and then named gemini-3.1-flash-image-preview, itself gone.
  retired("gemini-2.5-flash-image", "Gemini 2.5 Flash Image (Nano Banana)", "2026-10-02"),
  retired("gemini-3-pro-image-preview", "Gemini 3 Pro Image (preview)", "2026-06-25", "gemini-3-pro-image"),
  retired("gemini-3.1-flash-image-preview", "Gemini 3.1 Flash Image (preview)", "2026-06-25"),
  {
    id: "gemini-3.1-flash-image",
    displayName: "Gemini 3.1 Flash Image (Nano Banana 2)",
    // Deprecated in the changelog of 2026-10-06 "with no shutdown date announced yet". Only third parties report
    // 2026-10-29; a date recorded here would refuse the model even while Google still serves it, so none is: the
    // models list decides whether it is still offered.
    lifecycle: { stage: "deprecated", since: "2026-10-06", replacement: "gemini-nano-banana-2.1" },
    aspectRatios: RATIOS_14,
    imageSizes: ["512", "1K", "2K", "4K"],
    qualities: { standard: "1K", hd: "2K" },
    hdThinkingLevel: "HIGH",
    maxInputImages: 14,
  },
  {
    id: "gemini-3.1-flash-lite-image",
    displayName: "Gemini 3.1 Flash Lite Image (Nano Banana 2 Lite)",
    lifecycle: { stage: "current", since: "2026-06-30" },
    // Google's model page says "14 aspect ratios" but lists ten, which relays confirm; the ten are the safe side.
    aspectRatios: RATIOS_10,
    // "Supported image_size values: 1024px (1K). (Note: 2K and 4K are unsupported)": no hd.
    imageSizes: ["1K"],
    qualities: { standard: "1K" },
    maxInputImages: 14,
  },
  {
    id: "gemini-3-pro-image",
    displayName: "Gemini 3 Pro Image (Nano Banana Pro)",
    lifecycle: { stage: "current", since: "2026-05-28" },
    aspectRatios: RATIOS_10,
    imageSizes: ["1K", "2K", "4K"],
    qualities: { standard: "1K", hd: "2K" },
    maxInputImages: 14,
  },
  {
    id: "gemini-nano-banana-2.1",
    displayName: "Gemini Nano Banana 2.1",
    lifecycle: { stage: "current", since: "2026-10-06" },
    aspectRatios: RATIOS_14,
    // The changelog gives 1K, 2K and 4K; third parties report "512" refused with a 400.
    imageSizes: ["1K", "2K", "4K"],
    qualities: { standard: "1K", hd: "2K" },
    // Levels minimal, medium (its default) and high, per integrators; high is the one every source lists.
    hdThinkingLevel: "HIGH",
    maxInputImages: 14,
  },
]

/** Every ratio some Gemini model accepts, in the order the guides list them. */
export const GEMINI_ASPECT_RATIOS: readonly string[] = [...RATIOS_14]

/**
 * How a Gemini image model the catalog does not know is described: the limits every known model shares (ten ratios,
 * `standard` only, no `imageSize` or thinking sent) and 3 references, the most Google's guide recommends for its
 * oldest model.
 */
export function unknownGeminiModel(id: string, displayName = id): GeminiModel {
  return {
    id,
    displayName,
    aspectRatios: RATIOS_10,
    imageSizes: [],
    qualities: { standard: null },
    maxInputImages: 3,
  }
}

/** The catalog entry for `id`, if it has one. */
export function knownGeminiModel(id: string): GeminiModel | undefined {
  return GEMINI_MODELS.find((m) => m.id === id)
}

/** The known model with this id, or the conservative description of an unknown one. */
export function geminiModel(id: string): GeminiModel {
  return knownGeminiModel(id) ?? unknownGeminiModel(id)
}

/**
 * Whether the model takes `generationConfig.seed` (a signed 32-bit integer; Google: "mostly deterministic", so the
 * same seed and request give the same image on a best-effort basis). Every model in the catalog does; an unknown one
 * is not assumed to.
 */
export function takesSeed(model: GeminiModel): boolean {
  return knownGeminiModel(model.id) !== undefined
}

/** Whether a listed model id looks like a Gemini image model (Imagen's `predict` models are not). */
export function looksLikeImageModel(id: string): boolean {
  return /^gemini-/.test(id) && /(^|-)(image|nano-banana)(-|$)/.test(id)
}

function retired(id: string, displayName: string, shutdown: string, replacement = DEFAULT_GEMINI_MODEL): GeminiModel {
  return {
    id,
    displayName,
    lifecycle: { stage: "retired", shutdown, replacement },
    aspectRatios: RATIOS_10,
    imageSizes: [],
    qualities: { standard: null },
    maxInputImages: 3,
  }
}
