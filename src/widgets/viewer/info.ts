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
}

export function imageInfo(json: Record<string, unknown> | undefined): ImageInfo {
  if (!json) return {}
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
  }
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
  const message = str(json.progress_message)
  const prompt = str(json.prompt)
  const detail = [str(json.provider), message || (prompt ? `“${prompt}”` : undefined)].filter(Boolean).join(" · ")
  return {
    fraction: Math.min(1, Math.max(0, num(json.progress) ?? 0)),
    elapsedS: elapsed,
    label: elapsed !== undefined ? `Generating (${Math.round(elapsed)}s)` : "Generating",
    detail,
  }
}
