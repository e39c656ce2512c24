import { parseJsonObject } from "../shared/tool-result"

/** The gallery widget's view of `browse_gallery` / `gallery_page` payloads (pure: no DOM). */

export type Origin = "generated" | "imported" | "all"
export const ORIGINS: readonly Origin[] = ["generated", "imported", "all"]

export interface CompletedItem {
  kind: "completed"
  id: string
  prompt: string
  provider: string
  dimensions: [number, number] | null
  createdAt: string | null
  /** Base64 WebP, or null when the server could not read the original. */
  thumbnail: string | null
  contentType: string
}

/** A generation that has not produced an image: running, failed (with its error) or cancelled. */
export interface PendingItem {
  kind: "generating" | "failed" | "cancelled"
  id: string
  prompt: string
  provider: string
  progress: number
  message: string
  error: string
}

export type GalleryItem = CompletedItem | PendingItem

export interface GalleryPageData {
  total: number
  page: number
  pageSize: number
  origin: Origin | null
  query: string
  items: GalleryItem[]
}

export const DEFAULT_PAGE_SIZE = 12

export function isOrigin(value: unknown): value is Origin {
  return typeof value === "string" && (ORIGINS as readonly string[]).includes(value)
}

/** A gallery payload from a tool result's text, or null when it is not one (no numeric `total`). */
export function parseGalleryPage(text: string | undefined): GalleryPageData | null {
  const body = text ? parseJsonObject(text) : undefined
  if (!body || typeof body.total !== "number" || !Number.isFinite(body.total)) return null
  const items = Array.isArray(body.items) ? body.items.filter(isRecord).map(toItem) : []
  return {
    total: Math.max(0, Math.trunc(body.total)),
    page: positiveInt(body.page, 1),
    pageSize: positiveInt(body.page_size, DEFAULT_PAGE_SIZE),
    origin: isOrigin(body.origin) ? body.origin : null,
    query: typeof body.query === "string" ? body.query : "",
    items,
  }
}

function toItem(raw: Record<string, unknown>): GalleryItem {
  const base = { id: str(raw.image_id), prompt: str(raw.prompt), provider: str(raw.provider) }
  if (raw.status === "completed") {
    return {
      kind: "completed",
      ...base,
      dimensions: pair(raw.dimensions),
      createdAt: typeof raw.created_at === "string" ? raw.created_at : null,
      thumbnail: typeof raw.thumbnail_b64 === "string" && raw.thumbnail_b64 ? raw.thumbnail_b64 : null,
      contentType: str(raw.content_type) || "image/png",
    }
  }
  const kind = raw.status === "failed" || raw.status === "cancelled" ? raw.status : "generating"
  const progress = typeof raw.progress === "number" && Number.isFinite(raw.progress) ? raw.progress : 0
  return {
    kind,
    ...base,
    progress: Math.min(1, Math.max(0, progress)),
    message: str(raw.progress_message),
    error: str(raw.error),
  }
}

export function completedItems(items: readonly GalleryItem[]): CompletedItem[] {
  return items.filter((item): item is CompletedItem => item.kind === "completed")
}

/**
 * A card's text for an unfinished generation: the error when it failed, the reason (if any) when cancelled, else
 * its progress message or the prompt cut to 40 characters.
 */
export function pendingLabel(item: PendingItem): string {
  if (item.kind === "failed") return item.error || "Unknown error"
  if (item.kind === "cancelled") return item.error
  return item.message || truncate(item.prompt, 40) || "Generating…"
}

export function truncate(text: string, max: number): string {
  const chars = [...text]
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : text
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

function str(value: unknown): string {
  return typeof value === "string" ? value : ""
}

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : fallback
}

function pair(value: unknown): [number, number] | null {
  if (!Array.isArray(value) || value.length !== 2) return null
  const [w, h] = value
  return typeof w === "number" && typeof h === "number" ? [w, h] : null
}
