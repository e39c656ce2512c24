import { InvalidArgumentError, InvalidImageError } from "../errors"
import { hasRegionCrop, isIdentity, type OutputFormat, type ViewParams } from "./params"
import { cropToBmp, flattenToBmp } from "./pixels"
import type { ImageInfo } from "./probe"
import { decodeScanlines } from "./scanlines"

export interface TransformedImage {
  bytes: Uint8Array
  contentType: string
  width: number
  height: number
}

const CONTENT_TYPE: Record<OutputFormat, string> = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" }
/** zlib levels above 3 cost Bun.Image much more time for little size. */
export const PNG_COMPRESSION_LEVEL = 3
const WHITE = [255, 255, 255] as const

/**
 * The view pipeline, always from the original: region crop → rotate (clockwise) → flip → resize → format.
 * Sizes derive from the dimensions after crop and rotate. Width and height together mean cover + centre crop.
 * Decoding, scaling and encoding run off the JS thread in Bun.Image; the pixel copies here yield as they go.
 */
export async function transformImage(
  original: Uint8Array,
  info: ImageInfo,
  params: ViewParams,
  maxPixels: number,
): Promise<TransformedImage> {
  return runPipeline(original, info, params, maxPixels).catch((error: unknown) => {
    const code = (error as { code?: unknown }).code
    if (typeof code !== "string" || !code.startsWith("ERR_IMAGE_")) throw error
    throw new InvalidImageError(`The image could not be transformed (${code}).`, { cause: error })
  })
}

async function runPipeline(
  original: Uint8Array,
  info: ImageInfo,
  params: ViewParams,
  maxPixels: number,
): Promise<TransformedImage> {
  if (isIdentity(params))
    return { bytes: original, contentType: info.contentType, width: info.width, height: info.height }

  let source = original
  let { width, height } = info
  if (hasRegionCrop(params)) {
    const { cropX: x, cropY: y, cropW: w, cropH: h } = params
    if (x + w > width || y + h > height) {
      throw new InvalidArgumentError(
        `Crop box (${x}, ${y}, ${w}x${h}) does not fit within image dimensions ${width}x${height}.`,
      )
    }
    source = await cropToBmp(await decodeScanlines(new Bun.Image(original, { maxPixels })), x, y, w, h)
    width = w
    height = h
  }
  if (params.rotate === 90 || params.rotate === 270) [width, height] = [height, width]

  const target = targetSize(params, width, height)
  if (target.width * target.height > maxPixels) {
    throw new InvalidArgumentError(
      `The requested output ${target.width}x${target.height} is more than the ${maxPixels}-pixel limit (IMAGE_GENERATION_MCP_MAX_INPUT_PIXELS).`,
    )
  }
  const format: OutputFormat = params.format || sameFormat(info.format)

  let image = new Bun.Image(source, { maxPixels })
  if (params.rotate) image = image.rotate(params.rotate)
  if (params.flip === "horizontal") image = image.flop()
  if (params.flip === "vertical") image = image.flip()
  if (target.cover && target.scaledWidth * target.scaledHeight > width * height) {
    // Enlarging: crop the matching centre of the source first, so no pixel buffer exceeds source or target.
    const scale = Math.max(target.width / width, target.height / height)
    const cropWidth = Math.min(width, Math.max(1, Math.round(target.width / scale)))
    const cropHeight = Math.min(height, Math.max(1, Math.round(target.height / scale)))
    const scan = await decodeScanlines(image)
    const left = Math.floor((width - cropWidth) / 2)
    const top = Math.floor((height - cropHeight) / 2)
    image = new Bun.Image(await cropToBmp(scan, left, top, cropWidth, cropHeight)).resize(target.width, target.height)
  } else if (target.cover) {
    const scan = await decodeScanlines(image.resize(target.scaledWidth, target.scaledHeight))
    const left = Math.floor((scan.width - target.width) / 2)
    const top = Math.floor((scan.height - target.height) / 2)
    image = new Bun.Image(await cropToBmp(scan, left, top, target.width, target.height))
  } else if (target.width !== width || target.height !== height) {
    image = image.resize(target.width, target.height)
  }
  if (format === "jpeg" && info.hasAlpha) image = new Bun.Image(await flattenToBmp(await decodeScanlines(image), WHITE))
  const bytes = await encode(image, format, params.quality).bytes()
  return { bytes, contentType: CONTENT_TYPE[format], width: target.width, height: target.height }
}

interface TargetSize {
  width: number
  height: number
  /** Scale to `scaledWidth×scaledHeight`, then crop the centre. */
  cover: boolean
  scaledWidth: number
  scaledHeight: number
}

function targetSize(p: ViewParams, width: number, height: number): TargetSize {
  if (p.width && p.height) {
    const scale = Math.max(p.width / width, p.height / height)
    const scaledWidth = Math.max(p.width, Math.round(width * scale))
    const scaledHeight = Math.max(p.height, Math.round(height * scale))
    const cover = scaledWidth !== p.width || scaledHeight !== p.height
    return { width: p.width, height: p.height, cover, scaledWidth, scaledHeight }
  }
  const plain = (w: number, h: number) => ({ width: w, height: h, cover: false, scaledWidth: w, scaledHeight: h })
  if (p.width) return plain(p.width, Math.max(1, Math.round((height * p.width) / width)))
  if (p.height) return plain(Math.max(1, Math.round((width * p.height) / height)), p.height)
  return plain(width, height)
}

function sameFormat(format: ImageInfo["format"]): OutputFormat {
  return format === "jpeg" || format === "webp" ? format : "png"
}

export function encode(image: Bun.Image, format: OutputFormat, quality: number): Bun.Image {
  if (format === "jpeg") return image.jpeg({ quality })
  if (format === "webp") return image.webp({ quality })
  return image.png({ compressionLevel: PNG_COMPRESSION_LEVEL })
}
