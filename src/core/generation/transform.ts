import { canonicalProviderName } from "@/providers/index"
import { InvalidArgumentError } from "../errors"
import { preferredForReferences } from "../providers/selector"
import type { GenerateArgs, GenerationServiceOptions, PreparedGeneration } from "./generation"
import { fitModel } from "./model-fit"
import { checkBackground, checkCount, checkPrompt, checkQuality, checkSeed } from "./validate"

export interface TransformArgs extends GenerateArgs {
  referenceImages: string[]
  strength?: number | null
  mask?: string | null
}

const decimal = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n))

/** Validation, reference resolution and provider choice for `transform_image`, in the reference's order. */
export async function prepareTransform(
  opts: GenerationServiceOptions,
  args: TransformArgs,
): Promise<PreparedGeneration> {
  const { providers, imports } = opts
  const prompt = checkPrompt(args.prompt)
  const negativePrompt = args.negativePrompt ? checkPrompt(args.negativePrompt, "negative_prompt") : null
  const quality = checkQuality(args.quality ?? "standard")
  const background = checkBackground(args.background ?? "opaque")
  if (args.referenceImages.length === 0) throw new InvalidArgumentError("reference_images must not be empty.")
  const strength = args.strength ?? null
  if (strength !== null && (strength < 0 || strength > 1 || Number.isNaN(strength))) {
    throw new InvalidArgumentError(`strength must be between 0.0 and 1.0; got ${decimal(strength)}.`)
  }
  const seed = checkSeed(args.seed)
  const n = checkCount(args.n, opts.maxImagesPerCall)
  await providers.ready()
  if (!providers.anyImageInput()) {
    throw new InvalidArgumentError(
      "No configured provider supports reference-image input. See list_providers and the README for supported providers.",
    )
  }
  const referenceImages = []
  for (const ref of args.referenceImages) referenceImages.push(await imports.resolveReference(ref))
  const mask = args.mask ? await imports.resolveReference(args.mask) : null
  const count = referenceImages.length
  const withMask = mask ? " with a mask" : ""

  const requested = canonicalProviderName((args.provider || opts.defaultProvider).trim().toLowerCase())
  const model = args.model || null
  let provider: string
  if (requested === "auto") {
    const eligible = providers.acceptingReferences(count, mask !== null)
    if (eligible.length === 0) {
      throw new InvalidArgumentError(
        `No configured provider accepts ${count} reference image(s)${withMask}. See list_providers (max_input_images) for per-model limits.`,
      )
    }
    provider = preferredForReferences(eligible)
  } else {
    provider = await providers.resolve(requested, { prompt, background, seed: seed !== null })
  }
  if (!providers.acceptsReferences(provider, model, count, mask !== null)) {
    throw new InvalidArgumentError(
      `Provider '${provider}' has no model accepting ${count} reference image(s)${withMask}. See list_providers for models supporting reference-image input.`,
    )
  }
  const aspectRatio = args.aspectRatio ?? "1:1"
  const fitted = fitModel(providers, provider, {
    model,
    aspectRatio,
    quality,
    background,
    seed,
    count: n,
    accepts: (m) => m.supports_image_input && m.max_input_images >= count && (!mask || m.supports_mask),
  })
  const sourceImageIds = [...referenceImages, ...(mask ? [mask] : [])].flatMap((r) => (r.sourceId ? [r.sourceId] : []))
  // What a rerun resolves again: gallery ids, or the paths as given.
  const references = referenceImages.map((r, i) => r.sourceId ?? (args.referenceImages[i] as string))
  const maskRef = mask ? (mask.sourceId ?? (args.mask as string)) : null
  return {
    prompt,
    provider,
    negativePrompt,
    aspectRatio,
    quality,
    background,
    model: fitted,
    sourceImageIds,
    referenceImages,
    strength,
    mask,
    seed,
    request: { model, strength, references, mask: maskRef },
    n,
  }
}
