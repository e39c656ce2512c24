// What the viewer reads from show_image / edit_image / check_generation_status JSON (pure, unit-tested).
import { num, str } from "../shared/tool-result"

const IMAGE_MIMES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"])

export interface ImageInfo {
  imageId?: string
  prompt?: string
  provider?: string
  model?: string
  dimensions?: [number, number]
  sizeBytes?: number
  /** The original's content type (names the downloaded file). */
  format?: string
  seed?: number
  batchId?: string
  /** Place in the batch, from 0. */
  batchIndex?: number
  regeneratedFrom?: string
  /** Made by a generation, so regenerate_image can run it again. */
  canRegenerate: boolean
}

export function imageInfo(json: Record<string, unknown> | undefined): ImageInfo {
  if (!json) return { canRegenerate: false }
  const dims = json.dimensions
  const [w, h] = Array.isArray(dims) ? dims : []
  return {
    imageId: str(json.image_id),
    prompt: str(json.prompt),
    provider: str(json.provider),
    model: str(json.model),
    dimensions: num(w) !== undefined && num(h) !== undefined ? [w as number, h as number] : undefined,
    sizeBytes: num(json.original_size_bytes),
    format: str(json.format) ?? str(json.content_type),
    seed: num(json.seed),
    batchId: str(json.batch_id),
    batchIndex: num(json.batch_index),
    regeneratedFrom: str(json.regenerated_from),
    canRegenerate: json.can_regenerate === true,
  }
}

/** `seed 42 · regenerated from abc…`: how the image can be made again, leaving out what is unknown. */
export function provenanceLine(info: ImageInfo): string {
  const parts: string[] = []
  if (info.seed !== undefined) parts.push(`seed ${info.seed}`)
  if (info.regeneratedFrom) parts.push(`regenerated from ${info.regeneratedFrom}`)
  return parts.join(" · ")
}

/** The batch's images in order, from a batch status (`check_generation_status` with a batch id). */
export function batchImages(json: Record<string, unknown> | undefined): { id: string; completed: boolean }[] {
  const images = Array.isArray(json?.images) ? json.images : []
  return images.flatMap((image: unknown) => {
    const item = image as Record<string, unknown> | null
    const id = str(item?.image_id)
    return id ? [{ id, completed: item?.status === "completed" }] : []
  })
}

/** `provider (model) · W×H · 12.3 KB`, leaving out what is unknown. */
export function detailLine(info: ImageInfo): string {
  const parts: string[] = []
  if (info.provider) parts.push(info.model ? `${info.provider} (${info.model})` : info.provider)
  if (info.dimensions) parts.push(`${info.dimensions[0]}×${info.dimensions[1]}`)
  if (info.sizeBytes !== undefined) parts.push(`${(info.sizeBytes / 1024).toFixed(1)} KB`)
  return parts.join(" · ")
}

/** Only image types a browser shows; anything else is labelled PNG. */
export function safeImageMime(mime: string | undefined): string {
  return mime && IMAGE_MIMES.has(mime) ? mime : "image/png"
}

/** The image id in an `image://<id>/…` URI. */
export function imageKeyOf(uri: unknown): string | undefined {
  return typeof uri === "string" ? /^image:\/\/([^/?#]+)/.exec(uri)?.[1] : undefined
}

export interface Progress {
  /** 0..1 */
  fraction: number
  elapsedS?: number
  label: string
  detail: string
}

/** The generating view's text from a status JSON (progress_message beats the prompt in the detail). */
export function progressOf(json: Record<string, unknown>): Progress {
  const elapsed = num(json.elapsed_seconds)
  const images = Array.isArray(json.image_ids) ? json.image_ids.length : 0
  const done = num(json.completed)
  // A batch: how many of its images are done, unless a message says more.
  const message =
    str(json.progress_message) || (images > 1 && done !== undefined ? `${done} of ${images} images done` : undefined)
  const prompt = str(json.prompt)
  const detail = [str(json.provider), message || (prompt ? `“${prompt}”` : undefined)].filter(Boolean).join(" · ")
  return {
    fraction: Math.min(1, Math.max(0, num(json.progress) ?? 0)),
    elapsedS: elapsed,
    label: elapsed !== undefined ? `Generating (${Math.round(elapsed)}s)` : "Generating",
    detail,
  }
}
