import { InvalidImageError } from "../errors"

export type ImageFormat = "png" | "jpeg" | "webp" | "gif" | "bmp"

export interface ImageInfo {
  format: ImageFormat
  contentType: string
  width: number
  height: number
}

const CONTENT_TYPES: Record<string, string> = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  bmp: "image/bmp",
}

/** Reads format and dimensions from the header only; refuses images above `maxPixels` before any decode. */
export async function probeImage(bytes: Uint8Array, maxPixels: number, label = "image"): Promise<ImageInfo> {
  let meta: Bun.Image.Metadata
  try {
    meta = await new Bun.Image(bytes, { maxPixels }).metadata()
  } catch (error) {
    throw new InvalidImageError(`The ${label} is not a decodable image.`, { cause: error })
  }
  const contentType = CONTENT_TYPES[meta.format]
  if (!contentType) throw new InvalidImageError(`The ${label} has an unsupported format '${meta.format}'.`)
  if (meta.width * meta.height > maxPixels) {
    throw new InvalidImageError(
      `The ${label} is ${meta.width}x${meta.height} (${meta.width * meta.height} pixels); the limit is ${maxPixels} pixels (IMAGE_GENERATION_MCP_MAX_INPUT_PIXELS).`,
    )
  }
  return { format: meta.format as ImageFormat, contentType, width: meta.width, height: meta.height }
}
