import { promisify } from "node:util"
import { inflate } from "node:zlib"
import { InternalError } from "../errors"

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
  const bytes = await image.png({ compressionLevel: 0 }).bytes()
  const png = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const width = png.readUInt32BE(16)
  const height = png.readUInt32BE(20)
  if (png[24] !== 8 || png[25] !== 6) throw new InternalError("unexpected_png_layout", "expected an 8-bit RGBA PNG")
  const idat = new Segments(png)
  for (let at = 8; at + 12 <= png.length; at += 12 + png.readUInt32BE(at)) {
    if (png.readUInt32BE(at + 4) === 0x49444154) idat.add(at + 8, at + 8 + png.readUInt32BE(at))
  }
  const stride = width * 4 + 1
  let stream = storedBlocks(idat)
  if (!stream) {
    const inflated = await inflateAsync(idat.toBuffer())
    stream = new Segments(inflated).add(0, inflated.length)
  }
  if (!stream.rowsUnfiltered(stride, height)) {
    const raw = unfilter(stream.toBuffer(), width, height)
    const plain = new Segments(raw).add(0, raw.length)
    return { width, height, copyRow: (y, x, length, dest, at) => plain.copy(y * width * 4 + x * 4, length, dest, at) }
  }
  return { width, height, copyRow: (y, x, length, dest, at) => stream.copy(y * stride + 1 + x * 4, length, dest, at) }
}

/**
 * A logical byte sequence made of ranges of one buffer, read front to back. Ranges are kept as numbers, not
 * views, so a 100 MB image does not leave tens of thousands of objects for the collector.
 */
class Segments {
  readonly source: Buffer
  private readonly starts: number[] = []
  private readonly ends: number[] = []
  private readonly offsets: number[] = [0]
  private index = 0

  constructor(source: Buffer) {
    this.source = source
  }

  get length(): number {
    return this.offsets[this.offsets.length - 1] as number
  }

  add(start: number, end: number): this {
    this.starts.push(start)
    this.ends.push(end)
    this.offsets.push(this.length + end - start)
    return this
  }

  byteAt(position: number): number {
    if (!this.seek(position)) return -1
    return this.source[(this.starts[this.index] as number) + position - (this.offsets[this.index] as number)] ?? -1
  }

  /** Appends to `out` the source ranges holding `length` bytes from `position`. */
  rangesInto(out: Segments, position: number, length: number): void {
    let done = 0
    while (done < length && this.seek(position + done)) {
      const from = (this.starts[this.index] as number) + position + done - (this.offsets[this.index] as number)
      const n = Math.min(length - done, (this.ends[this.index] as number) - from)
      out.add(from, from + n)
      done += n
    }
  }

  copy(position: number, length: number, dest: Uint8Array, at: number): void {
    let done = 0
    while (done < length && this.seek(position + done)) {
      const from = (this.starts[this.index] as number) + position + done - (this.offsets[this.index] as number)
      const n = Math.min(length - done, (this.ends[this.index] as number) - from)
      this.source.copy(dest, at + done, from, from + n)
      done += n
    }
  }

  rowsUnfiltered(stride: number, rows: number): boolean {
    for (let y = 0; y < rows; y++) if (this.byteAt(y * stride) !== 0) return false
    return true
  }

  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.length)
    this.copy(0, this.length, out, 0)
    return out
  }

  private seek(position: number): boolean {
    if (position < (this.offsets[this.index] as number)) this.index = 0
    while (this.index < this.starts.length && position >= (this.offsets[this.index + 1] as number)) this.index++
    return this.index < this.starts.length
  }
}

/** The zlib stream's stored blocks as source ranges, or undefined if any block is compressed. */
function storedBlocks(input: Segments): Segments | undefined {
  const data = new Segments(input.source)
  for (let at = 2; at + 5 <= input.length; ) {
    const header = input.byteAt(at)
    if (((header >> 1) & 3) !== 0) return undefined
    const length = input.byteAt(at + 1) | (input.byteAt(at + 2) << 8)
    input.rangesInto(data, at + 5, length)
    at += 5 + length
    if (header & 1) return data
  }
  return undefined
}

/** Reverses PNG row filters (only needed if an encoder filtered a level-0 PNG). */
function unfilter(src: Uint8Array, width: number, height: number): Buffer {
  const stride = width * 4
  const out = Buffer.alloc(stride * height)
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
