import type { ImageRecord, JobRecord, StoredRequest } from "@/storage"
import { AppError, InvalidArgumentError } from "../errors"
import { IMAGE_ID_PATTERN } from "../images/ids"
import type { GenerateArgs, PreparedGeneration } from "./generation"
import type { TransformArgs } from "./transform"

/** The arguments `changes` may name, with the type each takes (the tools' own argument names). */
const CHANGEABLE = {
  prompt: "string",
  provider: "string?",
  negative_prompt: "string?",
  aspect_ratio: "string",
  quality: "string",
  background: "string",
  model: "string?",
  seed: "number?",
  n: "number?",
  reference_images: "string[]",
  strength: "number?",
  mask: "string?",
} as const

type Changes = Record<string, unknown>

/** What regenerate_image reruns: a generated image, or a job (failed or cancelled ones too). */
export type Source = { kind: "image"; record: ImageRecord } | { kind: "job"; record: JobRecord }

export interface RegenerateDeps {
  prepare(args: GenerateArgs): Promise<PreparedGeneration>
  prepareTransform(args: TransformArgs): Promise<PreparedGeneration>
  /** Whether a gallery image with this id is still there. */
  imageExists(id: string): Promise<boolean>
}

/**
 * A stored generation's arguments with `changes` applied, validated and resolved like a new call
 * (docs/decisions.md#regenerate). The stored seed is kept unless the provider or model changes (a seed repeats an
 * image only on the model that made it) or `changes` names one; with it, image k of a one-seed batch stays image k.
 */
export async function prepareRegenerate(
  deps: RegenerateDeps,
  source: Source,
  changes: Changes,
): Promise<PreparedGeneration> {
  checkChanges(changes)
  const id = source.record.id
  const stored = storedArgs(source)
  const has = (key: keyof typeof CHANGEABLE) => Object.hasOwn(changes, key)
  const modelChanged = (has("provider") && changes.provider !== stored.provider) || has("model")
  const args: TransformArgs = {
    prompt: pick(changes, "prompt", stored.prompt),
    provider: pick(changes, "provider", stored.provider),
    negativePrompt: pick(changes, "negative_prompt", stored.negativePrompt),
    aspectRatio: pick(changes, "aspect_ratio", stored.aspectRatio),
    quality: pick(changes, "quality", stored.quality),
    background: pick(changes, "background", stored.background),
    model: has("model") ? (changes.model as string | null) : modelChanged ? null : stored.model,
    seed: has("seed") ? (changes.seed as number | null) : modelChanged ? null : stored.seed,
    n: pick(changes, "n", null),
    referenceImages: pick(changes, "reference_images", stored.references),
    strength: pick(changes, "strength", stored.strength),
    mask: pick(changes, "mask", stored.mask),
  }
  const kept = [
    ...(has("reference_images") ? [] : stored.references),
    ...(has("mask") || !stored.mask ? [] : [stored.mask]),
  ]
  for (const ref of kept) {
    if (IMAGE_ID_PATTERN.test(ref) && !(await deps.imageExists(ref))) {
      throw new AppError(
        "not_found",
        "reference_deleted",
        `Image '${id}' was made from image '${ref}', which has been deleted, so it cannot be made again as it was. Pass reference_images (and mask) in changes to use other images.`,
      )
    }
  }
  const prepared = args.referenceImages.length ? await deps.prepareTransform(args) : await deps.prepare(args)
  // Image k of a batch that shared one seed is made alone as image k; a new seed, n or model starts a new batch.
  const k = source.kind === "image" ? batchDraw(source.record) : 0
  const fresh = has("seed") || has("n") || modelChanged
  return { ...prepared, regeneratedFrom: id, ...(k && !fresh && { seedBatchIndex: k }) }
}

/** k when the image was image k > 0 of a batch that drew every image from its one seed (it records `seed_batch_index`). */
function batchDraw(image: ImageRecord): number {
  const k = image.providerMetadata.seed_batch_index
  return image.seed != null && typeof k === "number" && Number.isSafeInteger(k) && k > 0 ? k : 0
}

/** Refuses unknown argument names and values of the wrong type, before anything is resolved. */
function checkChanges(changes: Changes): void {
  const unknown = Object.keys(changes).filter((key) => !Object.hasOwn(CHANGEABLE, key))
  if (unknown.length) {
    throw new InvalidArgumentError(
      `changes names unknown arguments: ${unknown.join(", ")}. It takes: ${Object.keys(CHANGEABLE).join(", ")}.`,
    )
  }
  for (const [key, type] of Object.entries(CHANGEABLE)) {
    if (!Object.hasOwn(changes, key)) continue
    const value = changes[key]
    const nullable = type.endsWith("?")
    const base = type.replace("?", "")
    const ok =
      (nullable && value === null) ||
      (base === "string[]" ? Array.isArray(value) && value.every((v) => typeof v === "string") : typeof value === base)
    if (!ok) {
      const wanted = base === "string[]" ? "a list of strings" : `a ${base}`
      throw new InvalidArgumentError(
        `changes.${key} must be ${wanted}${nullable ? " or null" : ""}; got ${JSON.stringify(value)}.`,
      )
    }
  }
}

function pick<T>(changes: Changes, key: keyof typeof CHANGEABLE, stored: T): T {
  return Object.hasOwn(changes, key) ? (changes[key] as T) : stored
}

interface StoredArgs {
  prompt: string
  provider: string
  negativePrompt: string | null
  aspectRatio: string
  quality: string
  background: string
  model: string | null
  seed: number | null
  references: string[]
  strength: number | null
  mask: string | null
}

/** The arguments a stored image or job was made with. */
function storedArgs(source: Source): StoredArgs {
  const { record } = source
  const request: StoredRequest = record.request ?? { model: null, strength: null, references: [], mask: null }
  const ran = source.kind === "image" ? source.record.providerMetadata.model : undefined
  return {
    prompt: record.prompt,
    provider: record.provider,
    negativePrompt: record.negativePrompt,
    aspectRatio: record.aspectRatio,
    quality: record.quality,
    background: record.background,
    // The model that ran, when the call left it to the provider: the default may have changed since.
    model: request.model ?? (source.kind === "job" ? source.record.model : typeof ran === "string" ? ran : null),
    seed: record.seed ?? null,
    references: request.references,
    strength: request.strength,
    mask: request.mask,
  }
}
