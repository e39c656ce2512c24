import { promisify } from "node:util"
import { inflate } from "node:zlib"

const inflateAsync = promisify(inflate)

/** Rows of straight RGBA pixels, read from a PNG that Bun.Image wrote with `compressionLevel: 0`. */
export interface Scanlines {
  width: number
  height: number
  /** Copies `length` pixel bytes of row `y`, starting at pixel `x`, into `dest` at `at`. */
  copyRow(y: number, x: number, length: number, dest: Uint8Array, at: number): void
}

/** Bun.Image has no raw-pixel output; a stored (level 0) PNG is one hop away from it. */
export async function decodeScanlines(image: Bun.Image): Promise<Scanlines> {
  const png = await image.png({ compressionLevel: 0 }).bytes()
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  if (png[24] !== 8 || png[25] !== 6) throw new Error("expected an 8-bit RGBA PNG")
  const payloads: Uint8Array[] = []
  for (let at = 8; at + 12 <= png.length; at += 12 + view.getUint32(at)) {
    if (view.getUint32(at + 4) === 0x49444154) payloads.push(png.subarray(at + 8, at + 8 + view.getUint32(at)))
  }
  const stride = width * 4 + 1
  const stream = storedStream(payloads) ?? new Stream([new Uint8Array(await inflateAsync(Buffer.concat(payloads)))])
  if (!stream.allRowsUnfiltered(stride, height)) {
    const flat = stream.toBytes(stride * height)
    return scanlinesOf(width, height, new Stream([unfilter(flat, width, height)]), width * 4)
  }
  return scanlinesOf(width, height, stream, stride, 1)
}

function scanlinesOf(width: number, height: number, stream: Stream, stride: number, skip = 0): Scanlines {
  return {
    width,
    height,
    copyRow: (y, x, length, dest, at) => stream.copy(y * stride + skip + x * 4, length, dest, at),
  }
}

/** A byte sequence spread over several views, read front to back. */
class Stream {
  private index = 0
  private base = 0
  private readonly parts: Uint8Array[]
  readonly length: number

  constructor(parts: Uint8Array[]) {
    this.parts = parts
    this.length = parts.reduce((n, p) => n + p.length, 0)
  }

  byteAt(position: number): number {
    this.seek(position)
    return this.parts[this.index]?.[position - this.base] ?? -1
  }

  copy(position: number, length: number, dest: Uint8Array, at: number): void {
    let done = 0
    while (done < length) {
      this.seek(position + done)
      const part = this.parts[this.index] as Uint8Array
      const offset = position + done - this.base
      const n = Math.min(length - done, part.length - offset)
      dest.set(part.subarray(offset, offset + n), at + done)
      done += n
    }
  }

  /** Views (no copies) of `length` bytes at `position`. */
  views(position: number, length: number): Uint8Array[] {
    const out: Uint8Array[] = []
    let done = 0
    while (done < length) {
      this.seek(position + done)
      const part = this.parts[this.index]
      if (!part) break
      const offset = position + done - this.base
      const n = Math.min(length - done, part.length - offset)
      out.push(part.subarray(offset, offset + n))
      done += n
    }
    return out
  }

  allRowsUnfiltered(stride: number, rows: number): boolean {
    for (let y = 0; y < rows; y++) if (this.byteAt(y * stride) !== 0) return false
    return true
  }

  toBytes(length: number): Uint8Array {
    const out = new Uint8Array(length)
    this.copy(0, length, out, 0)
    return out
  }

  private seek(position: number): void {
    if (position < this.base) {
      this.index = 0
      this.base = 0
    }
    while (this.index < this.parts.length && position >= this.base + (this.parts[this.index]?.length ?? 0)) {
      this.base += this.parts[this.index]?.length ?? 0
      this.index++
    }
  }
}

/** The zlib stream as views over its stored blocks, or undefined if any block is compressed. */
function storedStream(payloads: Uint8Array[]): Stream | undefined {
  const input = new Stream(payloads)
  const parts: Uint8Array[] = []
  for (let at = 2; at + 5 <= input.length; ) {
    const header = input.byteAt(at)
    if (((header >> 1) & 3) !== 0) return undefined
    const length = input.byteAt(at + 1) | (input.byteAt(at + 2) << 8)
    parts.push(...input.views(at + 5, length))
    at += 5 + length
    if (header & 1) return new Stream(parts)
  }
  return undefined
}

/** Reverses PNG row filters (only needed if an encoder filtered a level-0 PNG). */
function unfilter(src: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width * 4
  const out = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = src[y * (stride + 1)] ?? 0
    const row = src.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const at = y * stride
    for (let x = 0; x < stride; x++) {
      const a = x >= 4 ? (out[at + x - 4] as number) : 0
      const b = y > 0 ? (out[at + x - stride] as number) : 0
      const c = x >= 4 && y > 0 ? (out[at + x - stride - 4] as number) : 0
      out[at + x] = ((row[x] as number) + predict(filter, a, b, c)) & 0xff
    }
  }
  return out
}

function predict(filter: number, a: number, b: number, c: number): number {
  if (filter === 0) return 0
  if (filter === 1) return a
  if (filter === 2) return b
  if (filter === 3) return (a + b) >> 1
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}
