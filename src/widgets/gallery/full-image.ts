import { parseJsonObject } from "../shared/tool-result"
import type { FullImage } from "./lightbox"

/** gallery_full_image's JSON as the lightbox shows it, or null when it carries no image. */
export function parseFullImage(text: string | undefined): FullImage | null {
  const raw = text ? parseJsonObject(text) : undefined
  if (!raw || typeof raw.b64 !== "string" || !raw.b64) return null
  const dims = raw.dimensions
  const dimensions =
    Array.isArray(dims) && dims.length === 2 && dims.every((n) => typeof n === "number")
      ? ([dims[0], dims[1]] as [number, number])
      : null
  return {
    b64: raw.b64,
    contentType: typeof raw.content_type === "string" ? raw.content_type : "image/png",
    dimensions,
    createdAt: typeof raw.created_at === "string" ? raw.created_at : null,
  }
}
