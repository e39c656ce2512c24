import { stat } from "node:fs/promises"
import type { InputImage } from "@/providers/types"
import type { ImageRecord } from "@/storage"
import { AppError, InvalidImageError } from "../errors"
import { IMAGE_ID_PATTERN, viewUri } from "../images/ids"
import type { ImageRegistry } from "../images/registry"
import { verifyImage } from "../transform/probe"
import { Base64Error, decodeBase64Image } from "./base64"
import { FetchNetworkError, FetchPolicyError, FetchStatusError, redactUrl } from "./fetch-errors"
import type { FetchedBody, SafeFetchOptions } from "./safe-fetch"

const ACCEPTED = new Set(["image/png", "image/jpeg", "image/webp"])
const IMAGE_URI = /^image:\/\/([0-9a-f]{12})(?:[/?#].*)?$/

export interface ImportServiceOptions {
  images: ImageRegistry
  maxInputImageBytes: number
  maxInputPixels: number
  fetchTimeoutS: number
  allowLocalFileInput: boolean
  /** Test seams for the fetcher (resolver, address policy). */
  fetch?: Pick<SafeFetchOptions, "resolve" | "allowAddress" | "maxRedirects">
}

/** The outcome of an intake tool: the stored image, or the sentence to show the user. */
export type IntakeResult = { ok: true; record: ImageRecord; message: string } | { ok: false; message: string }

/** Outside images into the gallery (`origin: imported`), and reference images for providers. */
export class ImportService {
  private readonly opts: ImportServiceOptions

  constructor(opts: ImportServiceOptions) {
    this.opts = opts
  }

  /** Size- and format-checks bytes, then stores them under their content-addressed id. */
  async registerImported(bytes: Uint8Array, originSource: string): Promise<ImageRecord> {
    await this.checkBytes(bytes, "<imported>")
    return this.opts.images.register({
      bytes,
      contentType: "image/png",
      prompt: "",
      provider: "",
      aspectRatio: "",
      quality: "",
      background: "opaque",
      origin: "imported",
      originSource,
    })
  }

  async ingestBase64(data: string): Promise<IntakeResult> {
    const fail = (reason: string): IntakeResult => ({ ok: false, message: `Could not decode the image: ${reason}` })
    let bytes: Uint8Array
    try {
      bytes = decodeBase64Image(data, this.opts.maxInputImageBytes)
    } catch (error) {
      if (error instanceof Base64Error) return fail(error.message)
      throw error
    }
    return this.store(bytes, "base64", fail, "the decoded content is not a valid image.", "Ingested")
  }

  async fetchUrl(url: string): Promise<IntakeResult> {
    const fail = (reason: string): IntakeResult => ({ ok: false, message: `Could not fetch the image: ${reason}` })
    let body: FetchedBody
    try {
      const { safeFetch } = await import("./safe-fetch")
      body = await safeFetch(url, {
        maxBytes: this.opts.maxInputImageBytes,
        timeoutMs: this.opts.fetchTimeoutS * 1000,
        ...this.opts.fetch,
      })
    } catch (error) {
      if (error instanceof FetchPolicyError || error instanceof FetchStatusError) return fail(error.message)
      if (error instanceof FetchNetworkError) return fail("the request timed out or the connection failed.")
      throw error
    }
    const source = `fetch:${redactUrl(new URL(url))}`
    return this.store(body.bytes, source, fail, "the fetched content is not a valid image.", "Fetched")
  }

  /** A gallery id, an `image://` URI, or (when allowed) a server file path, as a provider input. */
  async resolveReference(ref: string): Promise<InputImage> {
    const id = IMAGE_ID_PATTERN.test(ref) ? ref : ref.match(IMAGE_URI)?.[1]
    const notFound = () =>
      new AppError(
        "not_found",
        "reference_not_found",
        `Image reference '${ref}' not found. Use a gallery image_id (read image://list) or an existing file path.`,
      )
    let bytes: Uint8Array
    if (id) {
      const record = await this.opts.images.get(id)
      if (!record) throw notFound()
      // An unreachable image store says so; only a missing original is "not found".
      bytes = await this.opts.images
        .readOriginal(record)
        .catch((error) =>
          Promise.reject(error instanceof AppError && error.kind === "unavailable" ? error : notFound()),
        )
    } else {
      if (!this.opts.allowLocalFileInput) {
        throw new AppError(
          "forbidden",
          "local_files_disabled",
          `Local file input is disabled; cannot read '${ref}'. Set IMAGE_GENERATION_MCP_ALLOW_LOCAL_FILE_INPUT=true to enable (only when callers are trusted with server filesystem access).`,
        )
      }
      const info = await stat(ref).catch(() => undefined)
      if (!info?.isFile()) throw notFound()
      this.checkSize(info.size, `Image reference '${ref}'`)
      bytes = await Bun.file(ref).bytes()
    }
    const contentType = await this.checkBytes(bytes, `Image reference '${ref}'`)
    return { data: bytes, contentType, sourceId: id ?? null }
  }

  private async store(
    bytes: Uint8Array,
    source: string,
    fail: (reason: string) => IntakeResult,
    notImage: string,
    verb: string,
  ): Promise<IntakeResult> {
    try {
      const record = await this.registerImported(bytes, source)
      return { ok: true, record, message: `${verb} image into the gallery: ${viewUri(record.id)}` }
    } catch (error) {
      const limit =
        error instanceof InvalidImageError && (error.code === "input_too_large" || error.code === "too_many_pixels")
      if (limit) return fail(error.detail)
      if (error instanceof InvalidImageError) return fail(notImage)
      throw error
    }
  }

  private checkSize(size: number, label: string): void {
    if (size > this.opts.maxInputImageBytes) {
      throw new InvalidImageError(
        `${label} is ${size} bytes; exceeds the ${this.opts.maxInputImageBytes}-byte limit.`,
        {
          code: "input_too_large",
        },
      )
    }
  }

  /** PNG, JPEG or WebP that decodes, within the byte and pixel caps; returns the detected content type. */
  private async checkBytes(bytes: Uint8Array, label: string): Promise<InputImage["contentType"]> {
    this.checkSize(bytes.length, label)
    const fail = (cause?: unknown) => new InvalidImageError(`${label} is not a decodable image.`, { cause })
    const info = await verifyImage(bytes, this.opts.maxInputPixels, "image").catch((error) =>
      Promise.reject(error instanceof InvalidImageError && error.code === "too_many_pixels" ? error : fail(error)),
    )
    if (!ACCEPTED.has(info.contentType)) throw fail()
    return info.contentType as InputImage["contentType"]
  }
}
