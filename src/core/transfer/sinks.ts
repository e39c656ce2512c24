import { posix } from "node:path"
import { InvalidArgumentError } from "../errors"
import { extensionFor, IMAGE_ID_PATTERN, viewUri } from "../images/ids"
import type { ImageRegistry } from "../images/registry"
import type { ImportService } from "../intake/imports"

const IMAGE_REF = /^image:\/\/([0-9a-f]{12})(?:[/?#].*)?$/
const UPLOAD_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".webp"])

/** What every upload link writes into: the image's `origin_source`. */
export const UPLOAD_SINK = "upload"

export interface DownloadBody {
  /** Read only as it is sent. */
  body: ReadableStream<Uint8Array>
  size: number
  contentType: string
  /** `<id><ext>`, e.g. `0123456789ab.png`. */
  filename: string
}

export interface UploadResult {
  image_id: string
  uri: string
  origin: "imported"
}

/** The image id a download link serves: `image://<id>[/...]` or a bare 12-hex id, of an existing image. */
export async function downloadHandle(ref: string, images: ImageRegistry): Promise<string> {
  const id = IMAGE_ID_PATTERN.test(ref) ? ref : ref.match(IMAGE_REF)?.[1]
  if (!id) throw new InvalidArgumentError(`Invalid image reference '${ref}'; expected image://<id> or a 12-hex id.`)
  await images.require(id)
  return id
}

/** Upload links take an optional file-name hint; if it has an extension, it must name an accepted format. */
export function uploadHandle(ref: string): string {
  const ext = posix.extname(ref.replaceAll("\\", "/"))
  if (ext && !UPLOAD_EXTENSIONS.has(ext.toLowerCase())) {
    throw new InvalidArgumentError(`Unsupported upload type '${ext}'; expected a PNG/JPEG/WEBP image.`)
  }
  return UPLOAD_SINK
}

/**
 * The gallery original behind a download link, opened to be streamed: the image is never held whole in memory.
 * Throws ImageNotFoundError when it is gone or unreadable, an `unavailable` AppError when the store is down.
 */
export async function readDownload(id: string, images: ImageRegistry): Promise<DownloadBody> {
  const record = await images.require(id)
  const { body, size } = await images.openOriginal(record)
  return { body, size, contentType: record.contentType, filename: `${record.id}${extensionFor(record.contentType)}` }
}

/** Registers uploaded bytes as an imported image. Throws InvalidImageError for anything but PNG/JPEG/WebP. */
export async function writeUpload(bytes: Uint8Array, sink: string, imports: ImportService): Promise<UploadResult> {
  const record = await imports.registerImported(bytes, sink)
  return { image_id: record.id, uri: viewUri(record.id), origin: "imported" }
}
