// Masks as the edits endpoint takes them (openai SDK 7.57 `resources/images.d.ts`, ImageEditParamsBase.mask; the
// image-generation guide, "Mask requirements"): a PNG with an alpha channel, the size of the first image, under
// 4 MB; its fully transparent pixels mark what is repainted.
import { ProviderError } from "../errors"
import type { InputImage } from "../types"
import { PROVIDER_NAME } from "./catalog"

/** The SDK's "less than 4MB", read as the stricter decimal megabytes. */
export const MAX_MASK_BYTES = 4_000_000

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** A mask the edits endpoint would refuse and that the provider cannot convert; says what is needed. */
export class MaskError extends ProviderError {
  override name = "MaskError"
  constructor(message: string) {
    super(PROVIDER_NAME, message, { kind: "invalid_input", code: "invalid_mask" })
  }
}

/**
 * The mask as the API takes it. A PNG with alpha of the right size goes as it is; a WebP or PNG with alpha is
 * re-encoded as PNG and scaled to the first image's size when only the scale differs. A mask without any alpha
 * channel (a JPEG, a black-and-white PNG) is refused rather than guessed from brightness: tools disagree on whether
 * white or black marks the area to change, and guessing wrong repaints what the user wanted kept.
 */
export async function prepareMask(mask: InputImage, first: InputImage): Promise<Uint8Array> {
  if (!hasAlphaChannel(mask.data)) {
    throw new MaskError(
      "The mask has no alpha channel. OpenAI repaints where the mask is fully transparent: give a PNG or WebP with transparency there and opaque pixels elsewhere.",
    )
  }
  const [image, source] = await Promise.all([
    dimensions(first.data, "first reference image"),
    dimensions(mask.data, "mask"),
  ])
  const sameSize = image.width === source.width && image.height === source.height
  if (
    !sameSize &&
    Math.abs(image.width * source.height - image.height * source.width) > 0.01 * image.width * source.height
  ) {
    throw new MaskError(
      `The mask is ${source.width}x${source.height} but the first reference image is ${image.width}x${image.height}. A mask must have the shape of the first reference image (a different scale is resized).`,
    )
  }
  if (sameSize && isRgbaPng(mask.data) && mask.data.length < MAX_MASK_BYTES) return mask.data
  // Nearest-neighbour keeps transparent pixels fully transparent: a smoothing filter would blur the edit boundary.
  const pipeline = () => {
    const img = new Bun.Image(mask.data)
    return sameSize ? img : img.resize(image.width, image.height, { filter: "nearest" })
  }
  let png = await pipeline().png({ compressionLevel: 3 }).bytes()
  if (png.length >= MAX_MASK_BYTES) png = await pipeline().png({ compressionLevel: 9 }).bytes()
  if (png.length >= MAX_MASK_BYTES) {
    throw new MaskError(
      `The mask is ${(png.length / 1e6).toFixed(1)} MB as a PNG; OpenAI takes masks under 4 MB. Use a mask with large flat areas (transparent where to edit, one opaque colour elsewhere).`,
    )
  }
  return png
}

async function dimensions(data: Uint8Array, what: string): Promise<{ width: number; height: number }> {
  try {
    const { width, height } = await new Bun.Image(data).metadata()
    return { width, height }
  } catch {
    throw new MaskError(`The ${what} could not be read as an image.`)
  }
}

function isPng(data: Uint8Array): boolean {
  return PNG_SIGNATURE.every((byte, i) => data[i] === byte)
}

/** A PNG whose pixels carry alpha (colour type 4 or 6); palette and colour-key transparency are re-encoded. */
function isRgbaPng(data: Uint8Array): boolean {
  return isPng(data) && (data[25] === 4 || data[25] === 6)
}

const ascii = (data: Uint8Array, at: number, length: number) => String.fromCharCode(...data.subarray(at, at + length))

/** Whether the image's header declares alpha: PNG colour type or tRNS chunk, WebP VP8X or VP8L alpha flag. */
export function hasAlphaChannel(data: Uint8Array): boolean {
  if (isPng(data)) return isRgbaPng(data) || hasPngChunk(data, "tRNS")
  if (ascii(data, 0, 4) === "RIFF" && ascii(data, 8, 4) === "WEBP") {
    const chunk = ascii(data, 12, 4)
    if (chunk === "VP8X") return ((data[20] ?? 0) & 0x10) !== 0
    // VP8L: after the 0x2f signature, 14 bits of width - 1, 14 of height - 1, then the alpha_is_used bit.
    if (chunk === "VP8L") return (((data[24] ?? 0) >> 4) & 1) === 1
  }
  return false
}

function hasPngChunk(data: Uint8Array, type: string): boolean {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  for (let at = 8; at + 8 <= data.length; ) {
    const length = view.getUint32(at)
    const name = ascii(data, at + 4, 4)
    if (name === type) return true
    if (name === "IDAT" || name === "IEND") return false
    at += 12 + length
  }
  return false
}
