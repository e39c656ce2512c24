import type { PromptStyle } from "../types"
import { type Architecture, detectArchitecture, namedStepCount } from "./architectures"

export { type Architecture, detectArchitecture } from "./architectures"

/** Sampler and scheduler names as ComfyUI spells them; each provider maps them to its own labels. */
export type Sampler = "euler" | "euler_ancestral" | "dpmpp_2m" | "dpmpp_sde"
export type Scheduler = "karras" | "simple" | "sgm_uniform" | "normal"

/** Generation defaults for one checkpoint architecture, shared by every local provider. */
export interface LocalPreset {
  architecture: Architecture
  steps: number
  /** Classifier-free guidance; 1 means none (no negative branch is computed). */
  cfg: number
  /** Guidance distilled into the model (Flux dev 3.5, FLUX.2 dev 4), when it has one. */
  guidance?: number
  sampler: Sampler
  scheduler: Scheduler
  /** Whether a negative prompt has an effect (real CFG above 1). */
  negativePrompt: boolean
  promptStyle: PromptStyle
  qualityTier: "medium" | "high"
  /** Width × height per aspect ratio, at the resolution the architecture was trained on. */
  sizes: Readonly<Record<LocalAspectRatio, readonly [number, number]>>
  /** Sizes derived from another shape (img2img) are multiples of this: 8 for the SD VAE, 16 for DiT models. */
  multiple: 8 | 16
}

export const LOCAL_ASPECT_RATIOS = ["1:1", "16:9", "9:16", "3:2", "2:3"] as const
export type LocalAspectRatio = (typeof LOCAL_ASPECT_RATIOS)[number]

type Sizes = LocalPreset["sizes"]
const sizes = (square: number, wide: [number, number], photo: [number, number]): Sizes => ({
  "1:1": [square, square],
  "16:9": wide,
  "9:16": [wide[1], wide[0]],
  "3:2": photo,
  "2:3": [photo[1], photo[0]],
})

// SD 1.5 is trained at 512 px: one side stays at 512 and the other grows with the ratio (A1111's 512×512 default;
// larger squares repeat subjects). SDXL-class models share SDXL's ~1 MP buckets (ComfyUI_examples sdxl/README.md).
const SD15_SIZES = sizes(512, [912, 512], [768, 512])
const XL_SIZES = sizes(1024, [1344, 768], [1216, 832])
const TURBO_SIZES = sizes(512, [680, 384], [624, 416])
// Qwen-Image's model card lists its trained sizes (1328² for 1:1, about 1.76 MP).
const QWEN_SIZES = sizes(1328, [1664, 928], [1584, 1056])

const UNET = { multiple: 8, promptStyle: "clip", negativePrompt: true } as const
const DIT = { multiple: 16, promptStyle: "natural_language", qualityTier: "high", sizes: XL_SIZES } as const
const DISTILLED = { cfg: 1, negativePrompt: false } as const

/** How a row was chosen: the defaults a server or a model's authors publish, cited per row. */
export const LOCAL_PRESETS: Readonly<Record<Architecture, LocalPreset>> = {
  // A1111 defaults (cfg 7) with its most used sampler; SD.Next reference-base.json: 20 steps.
  sd15: {
    architecture: "sd15",
    steps: 30,
    cfg: 7,
    sampler: "dpmpp_2m",
    scheduler: "karras",
    qualityTier: "medium",
    sizes: SD15_SIZES,
    ...UNET,
  },
  // Forge's xl UI preset uses cfg 5, A1111 7; 25–40 steps are usual.
  sdxl: {
    architecture: "sdxl",
    steps: 30,
    cfg: 6,
    sampler: "dpmpp_2m",
    scheduler: "karras",
    qualityTier: "high",
    sizes: XL_SIZES,
    ...UNET,
  },
  // Pony, Illustrious, NoobAI, Animagine: Euler a at a low cfg, as their model cards ask.
  sdxl_anime: {
    architecture: "sdxl_anime",
    steps: 28,
    cfg: 5,
    sampler: "euler_ancestral",
    scheduler: "normal",
    qualityTier: "high",
    sizes: XL_SIZES,
    ...UNET,
  },
  // Community Lightning/Turbo/Hyper/DMD2 merges (DreamShaper XL Turbo, Juggernaut Lightning): 4–8 steps, cfg 2.
  sdxl_fast: {
    architecture: "sdxl_fast",
    steps: 6,
    cfg: 2,
    sampler: "dpmpp_sde",
    scheduler: "karras",
    qualityTier: "high",
    sizes: XL_SIZES,
    ...UNET,
  },
  // ByteDance SDXL-Lightning / Hyper-SD releases: Euler with trailing (SGM uniform) timesteps, no CFG, their step count.
  sdxl_lightning: {
    architecture: "sdxl_lightning",
    steps: 4,
    sampler: "euler",
    scheduler: "sgm_uniform",
    qualityTier: "high",
    sizes: XL_SIZES,
    ...UNET,
    ...DISTILLED,
  },
  // Stability's SDXL Turbo: 512 px, 1–4 steps without guidance (diffusers docs; SD.Next: 4 steps).
  sdxl_turbo: {
    architecture: "sdxl_turbo",
    steps: 4,
    sampler: "euler_ancestral",
    scheduler: "normal",
    qualityTier: "medium",
    sizes: TURBO_SIZES,
    ...UNET,
    ...DISTILLED,
  },
  // SD 3.5 Large: ComfyUI_examples sd3.5 (euler, sgm_uniform, cfg ≈4), 28 steps as Stability suggests.
  sd3: {
    architecture: "sd3",
    steps: 28,
    cfg: 4,
    sampler: "euler",
    scheduler: "sgm_uniform",
    negativePrompt: true,
    ...DIT,
  },
  sd3_medium: {
    architecture: "sd3_medium",
    steps: 40,
    cfg: 4.5,
    sampler: "euler",
    scheduler: "sgm_uniform",
    negativePrompt: true,
    ...DIT,
  },
  // SD 3.5 Large Turbo: 4 steps, cfg 1.2 (ComfyUI_examples sd3/README.md).
  sd3_turbo: {
    architecture: "sd3_turbo",
    steps: 4,
    cfg: 1.2,
    sampler: "euler",
    scheduler: "sgm_uniform",
    negativePrompt: false,
    ...DIT,
  },
  // Forge's flux preset: cfg 1, distilled cfg 3.5, Euler + Simple; ComfyUI_examples flux_dev: 20 steps.
  flux_dev: {
    architecture: "flux_dev",
    steps: 20,
    guidance: 3.5,
    sampler: "euler",
    scheduler: "simple",
    ...DISTILLED,
    ...DIT,
  },
  // Schnell ignores guidance (Forge backend/diffusion_engine/flux.py); 4 steps.
  flux_schnell: {
    architecture: "flux_schnell",
    steps: 4,
    sampler: "euler",
    scheduler: "simple",
    ...DISTILLED,
    ...DIT,
  },
  // FLUX.2 dev: guidance 4 (ComfyUI_examples flux2), more steps than FLUX.1.
  flux2: {
    architecture: "flux2",
    steps: 28,
    guidance: 4,
    sampler: "euler",
    scheduler: "simple",
    ...DISTILLED,
    ...DIT,
  },
  // FLUX.2 Klein (distilled) and Klein Base: SD.Next reference-distilled.json / reference-base.json.
  flux2_klein: {
    architecture: "flux2_klein",
    steps: 4,
    sampler: "euler",
    scheduler: "simple",
    ...DISTILLED,
    ...DIT,
  },
  flux2_klein_base: {
    architecture: "flux2_klein_base",
    steps: 50,
    cfg: 4,
    sampler: "euler",
    scheduler: "simple",
    negativePrompt: true,
    ...DIT,
  },
  // Chroma1-HD: real CFG 4, 30 steps, Euler + Simple (ComfyUI_examples chroma).
  chroma: {
    architecture: "chroma",
    steps: 30,
    cfg: 4,
    sampler: "euler",
    scheduler: "simple",
    negativePrompt: true,
    ...DIT,
  },
  // Qwen-Image: 20 steps, cfg 2.5 (ComfyUI_examples qwen_image); its own trained sizes.
  qwen_image: {
    architecture: "qwen_image",
    steps: 20,
    cfg: 2.5,
    sampler: "euler",
    scheduler: "simple",
    negativePrompt: true,
    ...DIT,
    sizes: QWEN_SIZES,
  },
  // HiDream-I1 Full: 50 steps, cfg 5; Dev and Fast are guidance-distilled (ComfyUI_examples hidream).
  hidream: {
    architecture: "hidream",
    steps: 50,
    cfg: 5,
    sampler: "euler",
    scheduler: "simple",
    negativePrompt: true,
    ...DIT,
  },
  hidream_distilled: {
    architecture: "hidream_distilled",
    steps: 28,
    sampler: "euler",
    scheduler: "simple",
    ...DISTILLED,
    ...DIT,
  },
  // Z-Image (cfg 4, 50 steps) and Z-Image-Turbo (cfg 1, 9 steps): SD.Next reference-base.json.
  z_image: {
    architecture: "z_image",
    steps: 50,
    cfg: 4,
    sampler: "euler",
    scheduler: "simple",
    negativePrompt: true,
    ...DIT,
  },
  z_image_turbo: {
    architecture: "z_image_turbo",
    steps: 9,
    sampler: "euler",
    scheduler: "simple",
    ...DISTILLED,
    ...DIT,
  },
}

/** The defaults for a checkpoint name; a step-distilled checkpoint that names its step count gets that count. */
export function presetFor(name?: string | null): LocalPreset {
  const preset = LOCAL_PRESETS[detectArchitecture(name)]
  const named = preset.architecture === "sdxl_lightning" ? namedStepCount(name) : undefined
  return named ? { ...preset, steps: named } : preset
}

/** Width and height for an aspect ratio; an unknown ratio gets the square size. */
export function sizeForRatio(preset: LocalPreset, aspectRatio: string): readonly [number, number] {
  return (LOCAL_ASPECT_RATIOS as readonly string[]).includes(aspectRatio)
    ? preset.sizes[aspectRatio as LocalAspectRatio]
    : preset.sizes["1:1"]
}

/** No side longer than this: the WebUIs' own limit in their UI, and far beyond what any preset asks for. */
export const MAX_SIDE = 2048

/**
 * A size with the shape of `width × height` (a reference image) at the pixel count the preset uses for the nearest
 * ratio, in multiples of `preset.multiple`. The shape is kept to within one multiple; only a shape too extreme for
 * MAX_SIDE gets a less extreme one (the server then crops the reference, never stretches it).
 */
export function sizeForShape(preset: LocalPreset, width: number, height: number): readonly [number, number] {
  const ratio = width / height
  const distance = ([w, h]: readonly [number, number]) => Math.abs(Math.log(w / h / ratio))
  const nearest = Object.values(preset.sizes).reduce((a, b) => (distance(b) < distance(a) ? b : a))
  const pixels = nearest[0] * nearest[1]
  let w = Math.sqrt(pixels * ratio)
  let h = Math.sqrt(pixels / ratio)
  const shrink = Math.min(1, MAX_SIDE / Math.max(w, h))
  w *= shrink
  h *= shrink
  const snap = (n: number) =>
    Math.min(MAX_SIDE, Math.max(preset.multiple, Math.round(n / preset.multiple) * preset.multiple))
  return [snap(w), snap(h)]
}

/** The longest edge among the preset's sizes. */
export function maxEdge(preset: LocalPreset): number {
  return Math.max(...Object.values(preset.sizes).flat())
}
