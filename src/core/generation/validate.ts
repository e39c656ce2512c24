import { InvalidArgumentError } from "../errors"

export const SUPPORTED_ASPECT_RATIOS = ["1:1", "16:9", "9:16", "3:2", "2:3"]
export const SUPPORTED_QUALITY_LEVELS = ["standard", "hd"]
export const SUPPORTED_BACKGROUNDS = ["opaque", "transparent"]
/** The largest seed any provider takes (ComfyUI's, as a JSON-safe integer); each model may take less (`max_seed`). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER

/** The longest prompt any supported vendor accepts (gpt-image: 32,000 characters). */
export const MAX_PROMPT_CHARS = 32_000

export function checkPrompt(prompt: string, field = "prompt"): string {
  if (!prompt.trim()) throw new InvalidArgumentError(`${field} must not be empty.`)
  if (prompt.length > MAX_PROMPT_CHARS) {
    throw new InvalidArgumentError(
      `${field} is ${prompt.length} characters; the limit is ${MAX_PROMPT_CHARS}. Shorten it and try again.`,
    )
  }
  return prompt
}

export function checkQuality(quality: string): string {
  if (!SUPPORTED_QUALITY_LEVELS.includes(quality)) {
    throw new InvalidArgumentError(`Unsupported quality '${quality}'. Supported: ['standard', 'hd']`)
  }
  return quality
}

export function checkBackground(background: string): string {
  if (!SUPPORTED_BACKGROUNDS.includes(background)) {
    throw new InvalidArgumentError(`Unsupported background '${background}'. Supported: opaque, transparent`)
  }
  return background
}

/** Checks a ratio against what the resolved provider (and model) accepts. `target` names them in the error. */
export function checkAspectRatio(ratio: string, target: string, supported: string[]): string {
  const accepted = supported.length ? supported : SUPPORTED_ASPECT_RATIOS
  if (!accepted.includes(ratio)) {
    const name = target.startsWith("provider ") ? target : `provider '${target}'`
    throw new InvalidArgumentError(`Unsupported aspect_ratio '${ratio}' for ${name}. Supported: ${accepted.join(", ")}`)
  }
  return ratio
}

/** `n`, the number of images one call makes: 1 to the configured cap. */
export function checkCount(n: number | null | undefined, cap: number): number {
  if (n === undefined || n === null) return 1
  if (!Number.isInteger(n) || n < 1 || n > cap) {
    throw new InvalidArgumentError(
      `n must be a whole number from 1 to ${cap} (IMAGE_GENERATION_MCP_MAX_IMAGES_PER_CALL); got ${n}.`,
    )
  }
  return n
}

/** A seed is a whole number from 0 to MAX_SEED; null or absent lets the provider choose. */
export function checkSeed(seed: number | null | undefined): number | null {
  if (seed === undefined || seed === null) return null
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new InvalidArgumentError(`seed must be a whole number from 0 to ${MAX_SEED}; got ${seed}.`)
  }
  return seed
}
