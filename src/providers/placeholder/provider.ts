import { InputUnsupportedError, ProviderError } from "../errors"
import { solidPng } from "../solid-png"
import {
  type GenerateRequest,
  type GenerateResult,
  type ImageProvider,
  modelCapabilities,
  providerCapabilities,
  UINT32_MAX,
} from "../types"
import { PLACEHOLDER_PROFILES } from "./profiles"

export const PROVIDER_NAME = "placeholder"

const SIZES: Record<string, readonly [number, number]> = {
  "1:1": [256, 256],
  "16:9": [640, 360],
  "9:16": [360, 640],
  "3:2": [480, 320],
  "2:3": [320, 480],
}

const PALETTE: readonly (readonly [number, number, number])[] = [
  [88, 101, 130],
  [130, 88, 101],
  [101, 130, 88],
  [130, 118, 88],
  [88, 130, 125],
  [118, 88, 130],
]

export const PLACEHOLDER_MODEL = modelCapabilities({
  model_id: "placeholder",
  display_name: "Placeholder (solid-color PNG)",
  supported_aspect_ratios: Object.keys(SIZES),
  supported_qualities: ["standard"],
  supported_formats: ["png"],
  supports_background: true,
  max_resolution: 640,
  supports_seed: true,
  max_seed: UINT32_MAX,
  style_profile: PLACEHOLDER_PROFILES.placeholder,
})

/**
 * The colour a prompt maps to: SHA-256 of its UTF-8 bytes, modulo the 6-colour palette. With a seed, the digest of
 * prompt and seed picks any muted colour, so seeds vary the image and the same seed repeats it.
 */
export function placeholderColour(prompt: string, seed?: number | null): readonly [number, number, number] {
  if (seed === undefined || seed === null) {
    const digest = new Bun.CryptoHasher("sha256").update(prompt).digest("hex")
    return PALETTE[Number(BigInt(`0x${digest}`) % 6n)] ?? [88, 101, 130]
  }
  const digest = new Bun.CryptoHasher("sha256").update(`${prompt}\u0000${seed}`).digest()
  return [48 + (digest[0] ?? 0) / 2, 48 + (digest[1] ?? 0) / 2, 48 + (digest[2] ?? 0) / 2].map(Math.round) as [
    number,
    number,
    number,
  ]
}

export interface PlaceholderOptions {
  /** Receives a warning for an aspect ratio the placeholder has no size for. */
  warn?: (message: string) => void
}

/** Zero-cost, offline provider: a solid-colour PNG whose colour follows the prompt. */
export function createPlaceholderProvider(options: PlaceholderOptions = {}): ImageProvider {
  return {
    name: PROVIDER_NAME,
    defaultModel: "placeholder",
    description: "Zero-cost solid-colour PNG — instant, offline, no API key; for testing workflows and drafts",
    async discover() {
      return providerCapabilities(PROVIDER_NAME, [PLACEHOLDER_MODEL])
    },
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      if (request.referenceImages?.length) throw new InputUnsupportedError(PROVIDER_NAME, request.model)
      if (request.mask) throw new ProviderError(PROVIDER_NAME, "mask is not supported by this provider")
      let size = SIZES[request.aspectRatio]
      if (!size) {
        options.warn?.(`Unknown aspect ratio '${request.aspectRatio}' for the placeholder; using 256x256.`)
        size = [256, 256]
      }
      const [width, height] = size
      const seed = request.seed ?? null
      const colour = placeholderColour(request.prompt, seed)
      const transparent = request.background === "transparent"
      const data = solidPng(width, height, colour, transparent ? 0 : undefined)
      const hex = `#${colour.map((c) => c.toString(16).padStart(2, "0")).join("")}`
      return {
        data,
        contentType: "image/png",
        metadata: { quality: "placeholder", size: `${width}x${height}`, color: hex, ...(seed !== null && { seed }) },
      }
    },
  }
}
