import { progressBar } from "../shared/dom"
import { el, iconButton } from "./dom"
import { icon } from "./icons"
import { type CompletedItem, type PendingItem, pendingLabel } from "./model"

export interface CardActions {
  open(item: CompletedItem): void
  download?: (item: CompletedItem) => void
  remove(item: CompletedItem): void
}

export function thumbnailSrc(item: CompletedItem): string | null {
  return item.thumbnail ? `data:image/webp;base64,${item.thumbnail}` : null
}

/** A finished image: the open button (thumbnail) plus an overlay with prompt, provider and actions. */
export function completedCard(item: CompletedItem, actions: CardActions, compact: boolean): HTMLElement {
  const name = item.prompt || "Untitled image"
  const src = thumbnailSrc(item)
  const picture = src
    ? el("img", { src, alt: "", loading: "lazy", decoding: "async", draggable: "false" })
    : el("span", { class: "no-thumb" }, [icon("image"), el("span", {}, ["No preview"])])
  const open = el(
    "button",
    { type: "button", class: "card-open", "aria-label": `Open image: ${name}`, "data-focus-key": `open:${item.id}` },
    [picture],
  )
  open.addEventListener("click", () => actions.open(item))
  const card = el("li", { class: `card${compact ? " compact" : ""}`, "data-image-id": item.id }, [open])
  if (compact) return card

  const buttons: HTMLElement[] = []
  if (actions.download) {
    const download = iconButton(icon("download"), "Download image", { "data-focus-key": `download:${item.id}` })
    download.addEventListener("click", () => actions.download?.(item))
    buttons.push(download)
  }
  const remove = iconButton(icon("trash"), "Delete image", { class: "danger", "data-focus-key": `delete:${item.id}` })
  remove.addEventListener("click", () => actions.remove(item))
  buttons.push(remove)
  const overlay = el("div", { class: "card-overlay" }, [
    el("p", { class: "card-prompt" }, [name]),
    el("div", { class: "card-foot" }, [
      el("span", { class: "badge" }, [item.provider || "unknown"]),
      el("span", { class: "card-actions" }, buttons),
    ]),
  ])
  card.append(overlay)
  return card
}

/** An unfinished generation: a spinner and progress while running, the error when it failed. */
export function pendingCard(item: PendingItem): HTMLElement {
  const label = pendingLabel(item)
  const card = el("li", { class: `card pending ${item.kind}`, "data-image-id": item.id, "data-status": item.kind })
  if (item.kind === "generating") {
    const percent = Math.round(item.progress * 100)
    card.append(
      el("span", { class: "spinner", "aria-hidden": "true" }),
      el("span", { class: "pending-title" }, ["Generating"]),
      el("span", { class: "pending-text" }, [label]),
      progressBar(percent, "span"),
    )
    return card
  }
  const title = item.kind === "failed" ? "Generation failed" : "Cancelled"
  card.append(
    el("span", { class: "pending-icon", "aria-hidden": "true" }, [icon("alert")]),
    el("span", { class: "pending-title" }, [title]),
  )
  if (label) card.append(el("span", { class: "pending-text", title: label }, [label]))
  if (item.prompt) card.append(el("span", { class: "pending-prompt" }, [`“${item.prompt}”`]))
  return card
}
