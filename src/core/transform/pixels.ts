import { inflateSync } from "node:zlib"
import { buildPng } from "@/util/png"

/** Straight RGBA, 8 bits per channel, rows top to bottom. */
export interface RawImage {
  width: number
  height: number
  data: Uint8Array
}

/** Decodes any image Bun.Image reads into RGBA pixels (Bun.Image has no raw-pixel output; a stored PNG is one hop). */
export async function decodeRgba(image: Bun.Image): Promise<RawImage> {
  const png = await image.png({ compressionLevel: 0 }).bytes()
  return parseRgbaPng(png)
}

function parseRgbaPng(png: Uint8Array): RawImage {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  if (png[24] !== 8 || png[25] !== 6) throw new Error("expected an 8-bit RGBA PNG")
  const parts: Uint8Array[] = []
  for (let offset = 8; offset + 12 <= png.length; ) {
    const length = view.getUint32(offset)
    const type = String.fromCharCode(
      png[offset + 4] ?? 0,
      png[offset + 5] ?? 0,
      png[offset + 6] ?? 0,
      png[offset + 7] ?? 0,
    )
    if (type === "IDAT") parts.push(png.subarray(offset + 8, offset + 8 + length))
    offset += 12 + length
  }
  const filtered = inflateSync(Buffer.concat(parts))
  return { width, height, data: unfilter(filtered, width, height) }
}

function unfilter(src: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width * 4
  const out = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = src[y * (stride + 1)]
    const row = src.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const at = y * stride
    if (filter === 0) {
      out.set(row, at)
      continue
    }
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? (out[at + x - 4] as number) : 0
      const b = y > 0 ? (out[at + x - stride] as number) : 0
      const c = x >= 4 && y > 0 ? (out[at + x - stride - 4] as number) : 0
      out[at + x] = ((row[x] as number) + predict(filter ?? 0, a, b, c)) & 0xff
    }
  }
  return out
}

function predict(filter: number, a: number, b: number, c: number): number {
  if (filter === 1) return a
  if (filter === 2) return b
  if (filter === 3) return (a + b) >> 1
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/** Copies the `w×h` region at `(x, y)`; the caller has checked that it lies inside the image. */
export function cropRaw(image: RawImage, x: number, y: number, w: number, h: number): RawImage {
  const data = new Uint8Array(w * h * 4)
  for (let row = 0; row < h; row++) {
    const start = ((y + row) * image.width + x) * 4
    data.set(image.data.subarray(start, start + w * 4), row * w * 4)
  }
  return { width: w, height: h, data }
}

/** Wraps pixels as a PNG with stored (uncompressed) data: the cheapest lossless way back into Bun.Image. */
export function rawToPng(image: RawImage): Uint8Array {
  const stride = image.width * 4
  const rows = new Uint8Array((stride + 1) * image.height)
  for (let y = 0; y < image.height; y++)
    rows.set(image.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  return buildPng(image.width, image.height, 4, rows, 0)
}
