export const IMAGE_ID_PATTERN = /^[0-9a-f]{12}$/

/** Ids for generations: the first 12 hex digits of a random UUID. */
export function randomImageId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12)
}

export const BATCH_ID_PATTERN = /^batch-[0-9a-f]{12}$/

/** Ids for the images one call makes together: `batch-` and 12 random hex digits, never mistaken for an image id. */
export function randomBatchId(): string {
  return `batch-${randomImageId()}`
}

/** Ids for edits and imports: the first 12 hex digits of the bytes' SHA-256, so identical bytes share an id. */
export function contentImageId(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex").slice(0, 12)
}

const EXTENSIONS: Record<string, string> = { "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp" }

export function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType] ?? ".png"
}

export function originalFilename(id: string, contentType: string): string {
  return `${id}-original${extensionFor(contentType)}`
}

export function sidecarFilename(id: string): string {
  return `${id}.json`
}

export function viewUri(id: string): string {
  return `image://${id}/view`
}

export function metadataUri(id: string): string {
  return `image://${id}/metadata`
}

export const VIEW_QUERY = "{?format,width,height,quality,crop_x,crop_y,crop_w,crop_h,rotate,flip}"

export function resourceTemplate(id: string): string {
  return `image://${id}/view${VIEW_QUERY}`
}
