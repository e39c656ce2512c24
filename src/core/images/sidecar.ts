import type { ImageRecord, Iteration, Origin, StoredRequest } from "@/storage"
import { AppError } from "../errors"
import { parseIsoTimestamp } from "../time"
import { IMAGE_ID_PATTERN } from "./ids"

/** The sidecar JSON, keys in the order the reference writes them. */
export function sidecarJson(record: ImageRecord): string {
  const sidecar = {
    id: record.id,
    prompt: record.prompt,
    negative_prompt: record.negativePrompt,
    provider: record.provider,
    aspect_ratio: record.aspectRatio,
    quality: record.quality,
    background: record.background,
    content_type: record.contentType,
    original_filename: record.originalFilename,
    original_size_bytes: record.originalSizeBytes,
    original_dimensions: [record.width, record.height],
    provider_metadata: record.providerMetadata,
    created_at: record.createdAt,
    source_image_ids: record.sourceImageIds,
    origin: record.origin,
    origin_source: record.originSource,
    // Generations also record how to make them again (docs/decisions.md#seeds); edits and imports keep the
    // reference's keys only.
    ...(record.request && {
      seed: record.seed ?? null,
      batch_id: record.batchId ?? null,
      batch_index: record.batchIndex ?? null,
      regenerated_from: record.regeneratedFrom ?? null,
      request: record.request,
    }),
  }
  return JSON.stringify(sidecar, null, 2)
}

/** Applies the origin pairing rule: imported needs a non-empty source; everything else is (generated, null). */
export function canonicalOrigin(origin: unknown, source: unknown): { origin: Origin; originSource: string | null } {
  if (origin === "imported" && typeof source === "string" && source.length > 0) {
    return { origin: "imported", originSource: source }
  }
  return { origin: "generated", originSource: null }
}

/** A sidecar file that cannot be read as one; the message says what is wrong with it, with no tag. */
export class SidecarError extends AppError {
  override name = "SidecarError"
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super("invalid_input", "invalid_sidecar", message, { ...opts, tag: null })
  }
}

const REQUIRED = ["id", "original_filename", "content_type", "provider", "prompt", "original_dimensions", "created_at"]

/**
 * Reads a sidecar written by this server or the Python one (1.10 with `source_image_id`, 1.11, 1.12).
 * `originalSize` is the size of the original file, which must exist.
 */
export function parseSidecar(text: string, originalSize: (filename: string) => number | undefined): ImageRecord {
  let data: Record<string, unknown>
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new SidecarError("not valid JSON", { cause: error })
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new SidecarError("not a JSON object")
  for (const key of REQUIRED) if (!(key in data)) throw new SidecarError(`missing '${key}'`)

  const id = text_(data, "id")
  if (!IMAGE_ID_PATTERN.test(id)) throw new SidecarError(`invalid id '${id}'`)
  const filename = text_(data, "original_filename")
  if (!new RegExp(`^${id}-original\\.[a-z0-9]{1,5}$`).test(filename)) {
    throw new SidecarError(`original_filename '${filename}' does not belong to image ${id}`)
  }
  const dims = data.original_dimensions
  if (!Array.isArray(dims) || dims.length !== 2 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new SidecarError("original_dimensions must be two positive integers")
  }
  const createdAt = text_(data, "created_at")
  const createdEpoch = parseIsoTimestamp(createdAt)
  if (createdEpoch === undefined) throw new SidecarError(`invalid created_at '${createdAt}'`)
  const size = originalSize(filename)
  if (size === undefined) throw new SidecarError(`original file '${filename}' is missing`)

  return {
    id,
    prompt: text_(data, "prompt"),
    negativePrompt: optionalText(data, "negative_prompt"),
    provider: text_(data, "provider"),
    aspectRatio: optionalText(data, "aspect_ratio") ?? "1:1",
    quality: optionalText(data, "quality") ?? "standard",
    background: optionalText(data, "background") ?? "opaque",
    contentType: text_(data, "content_type"),
    originalFilename: filename,
    originalSizeBytes: size,
    width: dims[0],
    height: dims[1],
    providerMetadata: objectOrEmpty(data.provider_metadata),
    createdAt,
    createdEpoch,
    sourceImageIds: sourceIds(data),
    ...canonicalOrigin(data.origin, data.origin_source),
    ...iteration(data),
  }
}

/** The iteration keys of a generation's sidecar; anything malformed is dropped (the image itself is still good). */
function iteration(data: Record<string, unknown>): Iteration {
  const request = storedRequest(data.request)
  if (!request) return {}
  const int = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : null)
  const text = (v: unknown) => (typeof v === "string" && v ? v : null)
  return {
    seed: int(data.seed),
    batchId: text(data.batch_id),
    batchIndex: int(data.batch_index),
    regeneratedFrom: text(data.regenerated_from),
    request,
  }
}

function storedRequest(value: unknown): StoredRequest | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null
  const r = value as Record<string, unknown>
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [])
  return {
    model: typeof r.model === "string" ? r.model : null,
    strength: typeof r.strength === "number" ? r.strength : null,
    references: strings(r.references),
    mask: typeof r.mask === "string" ? r.mask : null,
  }
}

function text_(data: Record<string, unknown>, key: string): string {
  const value = data[key]
  if (typeof value !== "string") throw new SidecarError(`'${key}' must be a string`)
  return value
}

function optionalText(data: Record<string, unknown>, key: string): string | null {
  const value = data[key]
  if (value === undefined || value === null) return null
  if (typeof value !== "string") throw new SidecarError(`'${key}' must be a string`)
  return value
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

function sourceIds(data: Record<string, unknown>): string[] {
  const list = data.source_image_ids
  if (Array.isArray(list)) return list.filter((v): v is string => typeof v === "string")
  const legacy = data.source_image_id
  return typeof legacy === "string" && legacy ? [legacy] : []
}
