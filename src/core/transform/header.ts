export type ImageFormat = "png" | "jpeg" | "webp" | "gif" | "bmp"

/** What an image's header declares, read without decoding any pixel data. */
export interface ImageHeader {
  format: ImageFormat
  width: number
  height: number
  /** Whether the format and header allow transparent pixels. */
  hasAlpha: boolean
}

const u16be = (b: Uint8Array, at: number) => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0)
const u16le = (b: Uint8Array, at: number) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8)
const u24le = (b: Uint8Array, at: number) => u16le(b, at) | ((b[at + 2] ?? 0) << 16)
const u32be = (b: Uint8Array, at: number) => u16be(b, at) * 65536 + u16be(b, at + 2)
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n))

/** Reads format and declared size from the first bytes; undefined for anything else or a cut-off header. */
export function readHeader(b: Uint8Array): ImageHeader | undefined {
  if (b.length >= 26 && ascii(b, 1, 3) === "PNG" && b[0] === 0x89 && ascii(b, 12, 4) === "IHDR") return png(b)
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(b)
  if (b.length >= 30 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") return webp(b)
  if (b.length >= 10 && (ascii(b, 0, 6) === "GIF87a" || ascii(b, 0, 6) === "GIF89a")) {
    return { format: "gif", width: u16le(b, 6), height: u16le(b, 8), hasAlpha: true }
  }
  if (b.length >= 30 && ascii(b, 0, 2) === "BM") {
    const height = Math.abs(new DataView(b.buffer, b.byteOffset).getInt32(22, true))
    return {
      format: "bmp",
      width: new DataView(b.buffer, b.byteOffset).getInt32(18, true),
      height,
      hasAlpha: u16le(b, 28) === 32,
    }
  }
  return undefined
}

function png(b: Uint8Array): ImageHeader {
  const colourType = b[25] ?? 0
  let hasAlpha = colourType === 4 || colourType === 6
  // A tRNS chunk before the first IDAT makes palette and truecolour images transparent too.
  for (let at = 8; !hasAlpha && at + 8 <= b.length; at += 12 + u32be(b, at)) {
    const type = ascii(b, at + 4, 4)
    if (type === "tRNS") hasAlpha = true
    if (type === "IDAT") break
  }
  return { format: "png", width: u32be(b, 16), height: u32be(b, 20), hasAlpha }
}

function jpeg(b: Uint8Array): ImageHeader | undefined {
  let at = 2
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return undefined
    const marker = b[at + 1] ?? 0
    if (marker === 0xff) {
      at++
      continue
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isFrame) return { format: "jpeg", height: u16be(b, at + 5), width: u16be(b, at + 7), hasAlpha: false }
    if (marker === 0xd9 || marker === 0xda) return undefined
    at += 2 + u16be(b, at + 2)
  }
  return undefined
}

function webp(b: Uint8Array): ImageHeader | undefined {
  const chunk = ascii(b, 12, 4)
  if (chunk === "VP8 ") {
    return { format: "webp", width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff, hasAlpha: false }
  }
  if (chunk === "VP8L" && b[20] === 0x2f) {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24)
    const width = (bits & 0x3fff) + 1
    const height = ((bits >>> 14) & 0x3fff) + 1
    return { format: "webp", width, height, hasAlpha: ((bits >>> 28) & 1) === 1 }
  }
  if (chunk === "VP8X") {
    return { format: "webp", width: u24le(b, 24) + 1, height: u24le(b, 27) + 1, hasAlpha: ((b[20] ?? 0) & 0x10) !== 0 }
  }
  return undefined
}
