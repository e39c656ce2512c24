/**
 * Reusable buffers for reading originals that are only needed while a transform runs. A fresh multi-megabyte
 * buffer per request costs page faults on every read (and disturbs the decoder's memory reuse); on a VM that is
 * several milliseconds per preview. A few buffers are kept, each capped, so the memory held stays small.
 */
export class ReadBuffers {
  private readonly free: ArrayBuffer[] = []
  /** Buffers made here: only those come back into the pool (a store may return a view of someone else's memory). */
  private readonly issued = new WeakSet<ArrayBuffer>()
  private readonly keep: number
  private readonly maxBytes: number

  constructor(opts: { keep: number; maxBytes: number }) {
    this.keep = opts.keep
    this.maxBytes = opts.maxBytes
  }

  /** A buffer of exactly `size` bytes, reused when one is free. Give it back with `release` once unused. */
  take(size: number): Uint8Array {
    const at = this.free.findIndex((buffer) => buffer.byteLength >= size)
    const buffer = at === -1 ? new ArrayBuffer(roundUp(size)) : (this.free.splice(at, 1)[0] as ArrayBuffer)
    this.issued.add(buffer)
    return new Uint8Array(buffer, 0, size)
  }

  release(bytes: Uint8Array): void {
    const buffer = bytes.buffer
    if (!(buffer instanceof ArrayBuffer) || !this.issued.has(buffer) || this.free.includes(buffer)) return
    if (buffer.byteLength <= this.maxBytes && this.free.length < this.keep) this.free.push(buffer)
  }

  /** Bytes held for reuse. */
  get heldBytes(): number {
    return this.free.reduce((sum, buffer) => sum + buffer.byteLength, 0)
  }
}

const MIB = 1024 * 1024
/** Whole mebibytes, so originals of slightly different sizes share buffers. */
const roundUp = (size: number) => Math.max(MIB, Math.ceil(size / MIB) * MIB)
