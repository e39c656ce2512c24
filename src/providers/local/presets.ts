import type { PromptStyle } from "../types"

export type SdArchitecture = "sd15" | "sdxl" | "sdxl_lightning" | "flux_dev" | "flux_schnell" | "sd3"

/** Generation defaults for one checkpoint architecture. */
export interface SdPreset {
  architecture: SdArchitecture
  steps: number
  sampler: string
  scheduler: string
  cfgScale: number
  /** Sent as `distilled_cfg_scale`; only Flux presets have one. */
  distilledCfgScale?: number
  /** Whether the architecture takes a native negative prompt. */
  negativePrompt: boolean
  promptStyle: PromptStyle
  qualityTier: "medium" | "high"
  /** Width × height per aspect ratio. */
  sizes: Readonly<Record<SdAspectRatio, readonly [number, number]>>
  /** Longest edge advertised by discovery. */
  maxResolution: number
}

export const SD_ASPECT_RATIOS = ["1:1", "16:9", "9:16", "3:2", "2:3"] as const
export type SdAspectRatio = (typeof SD_ASPECT_RATIOS)[number]

const SD15_SIZES = {
  "1:1": [768, 768],
  "16:9": [912, 512],
  "9:16": [512, 912],
  "3:2": [768, 512],
  "2:3": [512, 768],
} as const

const SDXL_SIZES = {
  "1:1": [1024, 1024],
  "16:9": [1344, 768],
  "9:16": [768, 1344],
  "3:2": [1216, 832],
  "2:3": [832, 1216],
} as const

const KARRAS = { scheduler: "Karras", negativePrompt: true } as const
const FLUX = {
  sampler: "Euler",
  scheduler: "Simple",
  cfgScale: 1.0,
  distilledCfgScale: 3.5,
  negativePrompt: false,
  promptStyle: "natural_language",
  qualityTier: "high",
  sizes: SDXL_SIZES,
  maxResolution: 1024,
} as const
const XL = { qualityTier: "high", sizes: SDXL_SIZES, maxResolution: 1024 } as const

export const SD_PRESETS: Readonly<Record<SdArchitecture, SdPreset>> = {
  sd15: {
    architecture: "sd15",
    steps: 30,
    sampler: "DPM++ 2M",
    cfgScale: 7.0,
    promptStyle: "clip",
    qualityTier: "medium",
    sizes: SD15_SIZES,
    maxResolution: 768,
    ...KARRAS,
  },
  sdxl: { architecture: "sdxl", steps: 35, sampler: "DPM++ 2M", cfgScale: 7.5, promptStyle: "clip", ...KARRAS, ...XL },
  sdxl_lightning: {
    architecture: "sdxl_lightning",
    steps: 6,
    sampler: "DPM++ SDE",
    cfgScale: 2.0,
    promptStyle: "clip",
    ...KARRAS,
    ...XL,
  },
  flux_dev: { architecture: "flux_dev", steps: 20, ...FLUX },
  flux_schnell: { architecture: "flux_schnell", steps: 4, ...FLUX },
  sd3: {
    architecture: "sd3",
    steps: 28,
    sampler: "DPM++ 2M",
    cfgScale: 4.5,
    promptStyle: "natural_language",
    ...KARRAS,
    ...XL,
  },
}

const SD3_TAGS = ["sd3", "sd_3", "stable_diffusion_3", "stable-diffusion-3"]
const FLUX_TAGS = ["flux1", "flux2", "flux_", "_flux", "-flux"]
const XL_TAGS = ["sdxl", "xl_", "_xl", "-xl"]
const FAST_TAGS = ["lightning", "turbo"]

/**
 * The architecture of a checkpoint, from case-insensitive substrings of its name; the first rule that matches wins.
 * No name (no model configured) means SD 1.5. A bare "XL" suffix is not an XL tag (`ponyDiffusionV6XL` → sd15).
 */
export function detectArchitecture(name?: string | null): SdArchitecture {
  const lower = (name ?? "").toLowerCase()
  const has = (tags: readonly string[]) => tags.some((tag) => lower.includes(tag))
  if (has(SD3_TAGS)) return "sd3"
  if (has(FLUX_TAGS)) return lower.includes("schnell") ? "flux_schnell" : "flux_dev"
  if (has(XL_TAGS)) return has(FAST_TAGS) ? "sdxl_lightning" : "sdxl"
  return "sd15"
}

/** The generation defaults for a checkpoint name. */
export function presetFor(name?: string | null): SdPreset {
  return SD_PRESETS[detectArchitecture(name)]
}

/** Width and height for an aspect ratio; an unknown ratio gets the preset's square size. */
export function sizeFor(preset: SdPreset, aspectRatio: string): readonly [number, number] {
  return (SD_ASPECT_RATIOS as readonly string[]).includes(aspectRatio)
    ? preset.sizes[aspectRatio as SdAspectRatio]
    : preset.sizes["1:1"]
}
