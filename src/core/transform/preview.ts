import { InternalError } from "../errors"

export interface Preview {
  bytes: Uint8Array
  width: number
  height: number
}

export const PREVIEW_EDGE = 512
export const THUMBNAIL_EDGE = 128
export const PREVIEW_MAX_BYTES = 1_000_000

/**
 * A WebP that fits `edge`×`edge` (never enlarged), quality 80, kept under `maxBytes` by lowering the quality and
 * then the size.
 */
export async function webpPreview(
  bytes: Uint8Array,
  source: { width: number; height: number },
  opts: { edge?: number; maxBytes?: number; maxPixels: number },
): Promise<Preview> {
  let edge = opts.edge ?? PREVIEW_EDGE
  const maxBytes = opts.maxBytes ?? PREVIEW_MAX_BYTES
  for (const quality of [80, 60, 40, 40, 40]) {
    const scale = Math.min(1, edge / Math.max(source.width, source.height))
    const width = Math.max(1, Math.round(source.width * scale))
    const height = Math.max(1, Math.round(source.height * scale))
    let image = new Bun.Image(bytes, { maxPixels: opts.maxPixels })
    if (scale < 1) image = image.resize(width, height)
    const out = await image.webp({ quality }).bytes()
    if (out.length < maxBytes) return { bytes: out, width, height }
    if (quality === 40) edge = Math.floor(edge * 0.7)
  }
  throw new InternalError("preview_too_large", "Could not make a preview under the size limit.")
}

/**
 * True when an image can be shown as its own preview: a WebP inside the box and under the budget (re-encoding it
 * would only lose quality).
 */
export function isPreviewReady(
  image: { contentType: string; width: number; height: number; bytes: Uint8Array },
  edge = PREVIEW_EDGE,
  maxBytes = PREVIEW_MAX_BYTES,
): boolean {
  return (
    image.contentType === "image/webp" && Math.max(image.width, image.height) <= edge && image.bytes.length < maxBytes
  )
}
