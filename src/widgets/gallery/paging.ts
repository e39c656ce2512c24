/** Paging, delete and lightbox-navigation arithmetic for the gallery (pure: no DOM). */
import type { GalleryItem } from "./model"

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, pageSize)))
}

/** The page to reload after deleting one item of `page`: the previous one when that item was the page's last. */
export function pageAfterDelete(total: number, page: number, pageSize: number): number {
  return page > 1 && total - 1 <= (page - 1) * pageSize ? page - 1 : page
}

export type LightboxStep =
  | { kind: "same-page"; id: string }
  | { kind: "load-page"; page: number; pick: "first" | "last" }
  | null

export interface LightboxPlace {
  page: number
  pageSize: number
  total: number
  items: readonly GalleryItem[]
  currentId: string
}

/**
 * Where prev (-1) or next (+1) leads from the image shown in the lightbox: another image on this page, the adjacent
 * page, or nowhere. Unfinished generations are skipped; they always come before every image, so a pending item
 * before the current one means there is no earlier image on any page.
 */
export function lightboxStep(dir: -1 | 1, place: LightboxPlace): LightboxStep {
  const { items, page } = place
  const at = items.findIndex((item) => item.id === place.currentId)
  if (at < 0) return null
  for (let i = at + dir; i >= 0 && i < items.length; i += dir) {
    const item = items[i]
    if (item?.kind === "completed") return { kind: "same-page", id: item.id }
    if (dir < 0) return null
  }
  if (dir > 0) {
    return page < pageCount(place.total, place.pageSize) ? { kind: "load-page", page: page + 1, pick: "first" } : null
  }
  return page > 1 ? { kind: "load-page", page: page - 1, pick: "last" } : null
}

/** The image to show after a page change: the page's first or last image, or null when it has none. */
export function pickOnPage(items: readonly GalleryItem[], pick: "first" | "last"): string | null {
  const ids = items.filter((item) => item.kind === "completed").map((item) => item.id)
  return (pick === "first" ? ids[0] : ids[ids.length - 1]) ?? null
}

/** The image to reopen after a delete: the same position on the reloaded page, clamped, or null when it has none. */
export function reopenAfterDelete(items: readonly GalleryItem[], oldIndex: number): string | null {
  const ids = items.filter((item) => item.kind === "completed").map((item) => item.id)
  if (!ids.length) return null
  return ids[Math.min(Math.max(0, oldIndex), ids.length - 1)] ?? null
}
