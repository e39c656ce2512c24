/**
 * Checkpoint architectures a local server (SD WebUI and its forks, ComfyUI) can run, and how to tell them from a
 * checkpoint's name. Neither the WebUI's `/sdapi/v1/sd-models` nor ComfyUI's model lists say what a file is, so
 * the name (folders included: `SDXL/…` helps) is all there is; a name that says nothing means SD 1.5.
 */
export const ARCHITECTURES = [
  "sd15",
  "sdxl",
  "sdxl_anime",
  "sdxl_fast",
  "sdxl_lightning",
  "sdxl_turbo",
  "sd3",
  "sd3_medium",
  "sd3_turbo",
  "flux_dev",
  "flux_schnell",
  "flux2",
  "flux2_klein",
  "flux2_klein_base",
  "chroma",
  "qwen_image",
  "hidream",
  "hidream_distilled",
  "z_image",
  "z_image_turbo",
] as const
export type Architecture = (typeof ARCHITECTURES)[number]

/** "xl" standing alone or at either end of a word: `juggernautXL_v9`, `animagine-xl-3.1`, `ponyDiffusionV6XL`. */
const XL = /(?<![a-z])xl|xl(?![a-z])|sdxl|realvisxl|pony|illustrious|noob.?ai|animagine|autismmix/
const ANIME_XL = /pony|illustrious|noob.?ai|animagine|autismmix/
const FAST = /lightning|hyper|turbo|dmd2?|lcm/
/** Step-distilled releases name their step count (`sdxl_lightning_4step`, `Hyper-SDXL-8steps`). */
const STEP_COUNT = /(\d+)[-_ ]?steps?/

/** The architecture of a checkpoint, from its name (case-insensitive); the first matching rule wins. */
export function detectArchitecture(name?: string | null): Architecture {
  const n = (name ?? "").toLowerCase()
  if (/flux[-_. ]?2/.test(n)) {
    if (!n.includes("klein")) return "flux2"
    return n.includes("base") ? "flux2_klein_base" : "flux2_klein"
  }
  if (n.includes("flux")) return n.includes("schnell") ? "flux_schnell" : "flux_dev"
  if (n.includes("chroma")) return "chroma"
  if (n.includes("qwen")) return "qwen_image"
  if (n.includes("hidream")) return /dev|fast/.test(n) ? "hidream_distilled" : "hidream"
  if (/z[-_ ]?image/.test(n)) return n.includes("turbo") ? "z_image_turbo" : "z_image"
  if (/sd[-_ ]?3|stable[-_ ]?diffusion[-_ ]?3/.test(n)) {
    if (n.includes("turbo")) return "sd3_turbo"
    return n.includes("medium") ? "sd3_medium" : "sd3"
  }
  if (/sd[-_]?xl[-_]?turbo/.test(n)) return "sdxl_turbo"
  if (XL.test(n)) {
    if (FAST.test(n)) return STEP_COUNT.test(n) && /lightning|hyper/.test(n) ? "sdxl_lightning" : "sdxl_fast"
    return ANIME_XL.test(n) ? "sdxl_anime" : "sdxl"
  }
  return "sd15"
}

/** The step count a step-distilled checkpoint names (`…_4step`), if any. */
export function namedStepCount(name?: string | null): number | undefined {
  const match = STEP_COUNT.exec((name ?? "").toLowerCase())
  const steps = match ? Number(match[1]) : Number.NaN
  return steps >= 1 && steps <= 16 ? steps : undefined
}
