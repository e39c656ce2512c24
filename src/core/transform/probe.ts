import { InvalidImageError } from "../errors"
import { type ImageFormat, type ImageHeader, readHeader } from "./header"

export type { ImageFormat } from "./header"

export interface ImageInfo extends ImageHeader {
  contentType: string
}

export const CONTENT_TYPES: Record<ImageFormat, string> = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  bmp: "image/bmp",
}

/**
 * Format and dimensions from the header alone. Refuses unknown formats and anything declaring more than
 * `maxPixels` before a single pixel is allocated.
 */
export function probeImage(bytes: Uint8Array, maxPixels: number, label = "image"): ImageInfo {
  const header = readHeader(bytes)
  if (!header || header.width <= 0 || header.height <= 0) {
    throw new InvalidImageError(`The ${label} is not a decodable image.`)
  }
  const pixels = header.width * header.height
  if (pixels > maxPixels) {
    throw new InvalidImageError(
      `The ${label} declares ${header.width}x${header.height} (${pixels} pixels), more than the ${maxPixels}-pixel limit (IMAGE_GENERATION_MCP_MAX_INPUT_PIXELS).`,
      { code: "too_many_pixels" },
    )
  }
  return { ...header, contentType: CONTENT_TYPES[header.format] }
}

/** Probes, then decodes the whole image off the JS thread to prove it is readable. */
export async function verifyImage(bytes: Uint8Array, maxPixels: number, label = "image"): Promise<ImageInfo> {
  const info = probeImage(bytes, maxPixels, label)
  try {
    await new Bun.Image(bytes, { maxPixels }).resize(1, 1, { filter: "box" }).png({ compressionLevel: 0 }).bytes()
  } catch (error) {
    throw new InvalidImageError(`The ${label} is not a decodable image.`, { cause: error })
  }
  return info
}
