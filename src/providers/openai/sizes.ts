// Output sizes of the GPT Image models. gpt-image-2, 2.5 and 2.6 take any
// WIDTHxHEIGHT that meets the rules below (openai SDK 7.57 `resources/images.d.ts`, ImageGenerateParamsBase.size;
// the image-generation guide, "Size and quality options"); other GPT Image models take only three fixed sizes.

/** The rules `size` must meet on gpt-image-2 and later. */
export const SIZE_RULES = {
  multiple: 16,
  maxEdge: 3840,
  maxRatio: 3,
  minPixels: 655_360,
  maxPixels: 8_294_400,
} as const

/** The ratios offered on models with free sizes: every common ratio between 1:3 and 3:1. */
export const FREE_SIZE_RATIOS = [
  "1:1",
  "16:9",
  "9:16",
  "3:2",
  "2:3",
  "4:3",
  "3:4",
  "5:4",
  "4:5",
  "21:9",
  "9:21",
  "2:1",
  "1:2",
  "3:1",
  "1:3",
] as const

/** The sizes every GPT Image model takes, by ratio (the only ones for a model the catalog does not know). */
export const FIXED_SIZES: Readonly<Record<string, string>> = {
  "1:1": "1024x1024",
  "3:2": "1536x1024",
  "2:3": "1024x1536",
}

export type SizeTier = "standard" | "hd"

/**
 * The box (long edge × short edge) a tier's image fits in. `standard` is 1536×1024, the largest of the sizes every
 * GPT Image model takes; `hd` is 2560×1440, the largest size OpenAI does not call experimental.
 */
const TIER_BOX: Record<SizeTier, readonly [number, number]> = { standard: [1536, 1024], hd: [2560, 1440] }

/** Why `width`×`height` breaks the free-size rules, or null when it meets them. */
export function sizeRuleViolation(width: number, height: number): string | null {
  const { multiple, maxEdge, maxRatio, minPixels, maxPixels } = SIZE_RULES
  if (width % multiple || height % multiple) return `width and height must be multiples of ${multiple}`
  if (Math.max(width, height) > maxEdge) return `the longest edge must be at most ${maxEdge} px`
  if (Math.max(width, height) / Math.min(width, height) > maxRatio) return "the ratio must lie between 1:3 and 3:1"
  const pixels = width * height
  if (pixels < minPixels || pixels > maxPixels) return `the pixel count must lie between ${minPixels} and ${maxPixels}`
  return null
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * The largest size of exactly this ratio that fits the tier's box and meets the free-size rules, e.g. `16:9` →
 * `1536x864` (standard) or `2560x1440` (hd). Null when the ratio has none.
 */
export function freeSize(ratio: string, tier: SizeTier): string | null {
  const match = /^(\d+):(\d+)$/.exec(ratio)
  if (!match) return null
  const [a0, b0] = [Number(match[1]), Number(match[2])]
  if (!a0 || !b0) return null
  const d = gcd(a0, b0)
  const [a, b] = [a0 / d, b0 / d]
  // The smallest exact size with both edges multiples of 16, then the largest multiple of it inside the box.
  const unit = lcm(SIZE_RULES.multiple / gcd(SIZE_RULES.multiple, a), SIZE_RULES.multiple / gcd(SIZE_RULES.multiple, b))
  const [long, short] = TIER_BOX[tier]
  const [boxW, boxH] = a >= b ? [long, short] : [short, long]
  const scale = Math.floor(Math.min(boxW / (a * unit), boxH / (b * unit)))
  const [width, height] = [a * unit * scale, b * unit * scale]
  if (scale < 1 || sizeRuleViolation(width, height)) return null
  return `${width}x${height}`
}

function lcm(a: number, b: number): number {
  return (a * b) / gcd(a, b)
}
