import { type CardActions, completedCard, pendingCard } from "./cards"
import { el } from "./dom"
import type { CompletedItem, GalleryItem, Origin } from "./model"

/** The grid of cards: unfinished generations and images in page order. */
export function gridList(items: readonly GalleryItem[], actions: CardActions): HTMLElement {
  const cards = items.map((item) =>
    item.kind === "completed" ? completedCard(item, actions, false) : pendingCard(item),
  )
  return el("ul", { class: "grid", "aria-label": "Images" }, cards)
}

/** The picture-in-picture strip: up to four images, no overlays. */
export function pipList(items: readonly CompletedItem[], open: (item: CompletedItem) => void): HTMLElement {
  const cards = items.slice(0, 4).map((item) => completedCard(item, { open, remove: () => {} }, true))
  return el("ul", { class: "grid pip-grid", "aria-label": "Latest images" }, cards)
}

/** "← Prev · Page X of Y · Next →"; the ends are aria-disabled (not disabled) so focus never drops to the body. */
export function pagination(page: number, pages: number, goTo: (page: number) => void): HTMLElement {
  const prev = el("button", { type: "button", class: "btn", "data-focus-key": "page-prev" }, ["← Prev"])
  const next = el("button", { type: "button", class: "btn", "data-focus-key": "page-next" }, ["Next →"])
  prev.setAttribute("aria-label", "Previous page")
  next.setAttribute("aria-label", "Next page")
  prev.setAttribute("aria-disabled", String(page <= 1))
  next.setAttribute("aria-disabled", String(page >= pages))
  prev.addEventListener("click", () => page > 1 && goTo(page - 1))
  next.addEventListener("click", () => page < pages && goTo(page + 1))
  const label = el("span", { class: "page-label", "aria-current": "page" }, [`Page ${page} of ${pages}`])
  return el("nav", { class: "pagination", "aria-label": "Gallery pages" }, [prev, label, next])
}

/** The empty state's words: about the search when one is active, else about the origin. */
export function emptyText(origin: Origin, query: string): { title: string; sub: (string | Node)[] } {
  if (query) {
    return { title: "No matching images", sub: [`Nothing matches “${query}”. Try other words or clear the search.`] }
  }
  if (origin === "imported") {
    return { title: "No imported images", sub: ["Use fetch_image or ingest_base64_image to add one."] }
  }
  return { title: "No images yet", sub: ["Use ", el("code", {}, ["generate_image"]), " to create your first image."] }
}
