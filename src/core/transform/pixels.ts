import { rgbaBmp } from "./bmp"
import { decodeScanlines, type Scanlines } from "./scanlines"

/** Straight RGBA, 8 bits per channel, rows top to bottom. */
export interface RawImage {
  width: number
  height: number
  data: Uint8Array
}

/** Bytes copied between two yields to the event loop (well under 1 ms). */
const COPY_SLICE_BYTES = 2 * 1024 * 1024
/** Bytes composited between two yields (per-pixel arithmetic is slower than copying). */
const BLEND_SLICE_BYTES = 256 * 1024

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Copies the `w×h` region at `(x, y)` into a BMP Bun.Image can read back; the caller checked the bounds. */
export async function cropToBmp(scan: Scanlines, x: number, y: number, w: number, h: number): Promise<Uint8Array> {
  const { bytes, pixels } = rgbaBmp(w, h)
  const rowBytes = w * 4
  let sinceYield = 0
  for (let row = 0; row < h; row++) {
    scan.copyRow(y + row, x, rowBytes, pixels, row * rowBytes)
    sinceYield += rowBytes
    if (sinceYield >= COPY_SLICE_BYTES) {
      sinceYield = 0
      await yieldToLoop()
    }
  }
  return bytes
}

/** Composites every pixel over an opaque colour (JPEG has no alpha); returns a BMP. */
export async function flattenToBmp(scan: Scanlines, rgb: readonly [number, number, number]): Promise<Uint8Array> {
  const bytes = await cropToBmp(scan, 0, 0, scan.width, scan.height)
  const pixels = bytes.subarray(bytes.length - scan.width * scan.height * 4)
  const [r, g, b] = rgb
  for (let start = 0; start < pixels.length; start += BLEND_SLICE_BYTES) {
    const end = Math.min(pixels.length, start + BLEND_SLICE_BYTES)
    for (let i = start; i < end; i += 4) {
      const alpha = pixels[i + 3] as number
      if (alpha === 255) continue
      const keep = alpha / 255
      pixels[i] = Math.round((pixels[i] as number) * keep + r * (1 - keep))
      pixels[i + 1] = Math.round((pixels[i + 1] as number) * keep + g * (1 - keep))
      pixels[i + 2] = Math.round((pixels[i + 2] as number) * keep + b * (1 - keep))
      pixels[i + 3] = 255
    }
    await yieldToLoop()
  }
  return bytes
}

/** All pixels of an image (for tests and small images). */
export async function readPixels(image: Bun.Image): Promise<RawImage> {
  const scan = await decodeScanlines(image)
  const bmp = await cropToBmp(scan, 0, 0, scan.width, scan.height)
  return { width: scan.width, height: scan.height, data: bmp.subarray(bmp.length - scan.width * scan.height * 4) }
}
