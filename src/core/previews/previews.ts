import type { PreviewCallback, PreviewImage } from "@/providers/types"
import { AppError } from "../errors"
import { KeyedEvents } from "../jobs/events"
import { readHeader } from "../transform/header"
import { CONTENT_TYPES } from "../transform/probe"

/**
 * Live previews are transient (docs/decisions.md#live-previews-transient): the latest one per running job, in this
 * process's memory only, gone when the job ends. Never written to disk, never a result.
 */
export interface LivePreview {
  data: Uint8Array
  contentType: string
  /** 1 for a job's first preview, then counting up: tells a reader whether it changed. */
  number: number
}

export interface LivePreviewsOptions {
  /** Previews whose header declares more pixels are dropped (the same limit as every outside image). */
  maxPixels: number
  /** Largest preview kept. @default 16 MiB */
  maxPreviewBytes?: number
  /** All previews together; the least recently updated job's goes first. @default 64 MiB */
  maxTotalBytes?: number
  log?: { debug(message: string, fields?: Record<string, unknown>): void }
}

/** `image://<id>/live-preview`: the resource serving a running generation's latest preview. */
export function livePreviewUri(id: string): string {
  return `image://${id}/live-preview`
}

/** No preview to read: the job is not running here, or none has arrived yet. */
export class NoLivePreviewError extends AppError {
  override name = "NoLivePreviewError"
  constructor(id: string) {
    super(
      "not_found",
      "no_live_preview",
      `No live preview of '${id}' right now: previews exist only while a generation runs and after its provider sent one, and are dropped when it ends. Use check_generation_status("${id}").`,
      { tag: null },
    )
  }
}

const PREVIEW_FORMATS = new Set(["png", "jpeg", "webp"])

/** The latest preview of each running job, with listeners for callers that follow one job. */
export class LivePreviews {
  private readonly latest = new Map<string, LivePreview>()
  private readonly open = new Map<string, number>()
  private readonly events = new KeyedEvents<LivePreview>()
  private total = 0
  private readonly opts: Required<Omit<LivePreviewsOptions, "log">> & Pick<LivePreviewsOptions, "log">

  constructor(opts: LivePreviewsOptions) {
    this.opts = { maxPreviewBytes: 16 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024, ...opts }
  }

  /**
   * Runs `work` with the callback its provider reports previews to; previews of `id` are kept until the work ends
   * or `signal` aborts (a cancel), whichever comes first, and later ones are ignored.
   */
  async during<T>(id: string, signal: AbortSignal, work: (onPreview: PreviewCallback) => Promise<T>): Promise<T> {
    this.open.set(id, 0)
    const end = () => this.end(id)
    signal.addEventListener("abort", end, { once: true })
    try {
      return await work((image) => {
        if (this.open.has(id) && !signal.aborted) this.put(id, image)
      })
    } finally {
      signal.removeEventListener("abort", end)
      end()
    }
  }

  get(id: string): LivePreview | undefined {
    return this.latest.get(id)
  }

  /** Calls `listener` with each new preview of `id`; returns the unsubscribe. */
  on(id: string, listener: (preview: LivePreview) => void): () => void {
    return this.events.on(id, listener)
  }

  /** Bytes held now, for tests and diagnostics. */
  get heldBytes(): number {
    return this.total
  }

  private put(id: string, image: PreviewImage): void {
    const refused = this.refusal(image.data)
    if (refused) {
      this.opts.log?.debug("Live preview dropped", { image_id: id, reason: refused })
      return
    }
    const header = readHeader(image.data)
    const number = (this.open.get(id) ?? 0) + 1
    this.open.set(id, number)
    this.drop(id)
    const preview = { data: image.data, contentType: CONTENT_TYPES[header?.format ?? "png"], number }
    this.latest.set(id, preview)
    this.total += image.data.length
    for (const [other, kept] of this.latest) {
      if (this.total <= this.opts.maxTotalBytes || other === id) break
      this.total -= kept.data.length
      this.latest.delete(other)
    }
    this.events.emit(id, preview)
  }

  /** Why bytes cannot be a preview: too big, not a PNG, JPEG or WebP, or declaring more pixels than allowed. */
  private refusal(data: Uint8Array): string | undefined {
    if (data.length > this.opts.maxPreviewBytes) return `${data.length} bytes, above ${this.opts.maxPreviewBytes}`
    const header = readHeader(data)
    if (!header || !PREVIEW_FORMATS.has(header.format)) return "not a PNG, JPEG or WebP image"
    if (header.width <= 0 || header.height <= 0 || header.width * header.height > this.opts.maxPixels) {
      return `declares ${header.width}x${header.height}`
    }
    return undefined
  }

  private drop(id: string): void {
    const kept = this.latest.get(id)
    if (!kept) return
    this.total -= kept.data.length
    this.latest.delete(id)
  }

  private end(id: string): void {
    this.open.delete(id)
    this.drop(id)
  }
}
