// The viewer's read-only states. Each returns one <section data-state="…">; the controller shows one at a time.
import { el, icon, progressBar } from "../shared/dom"
import { ICONS } from "../shared/icons"
import type { ImageItem } from "../shared/tool-result"
import { detailLine, type ImageInfo, type Progress, provenanceLine, safeImageMime } from "./info"

function section(state: string, ...children: (Node | string | undefined)[]): HTMLElement {
  return el("section", { class: `state state-${state}`, "data-state": state }, ...children)
}

export function waitingView(): HTMLElement {
  return section(
    "waiting",
    el("div", { class: "status-line", role: "status" }, el("span", { class: "spinner" }), "Waiting for image…"),
  )
}

export function generatingView(p: Progress): HTMLElement {
  const percent = Math.round(p.fraction * 100)
  return section(
    "generating",
    el(
      "div",
      { class: "status-line", role: "status" },
      el("span", { class: "spinner" }),
      el("span", { class: "status-label" }, p.label),
    ),
    p.detail ? el("p", { class: "status-detail muted" }, p.detail) : undefined,
    progressBar(percent),
  )
}

/** `onRegenerate`: the failed generation can be run again (regenerate_image). */
export function failedView(title: string, error: string | undefined, onRegenerate?: () => void): HTMLElement {
  return section(
    "failed",
    el("p", { class: "status-title error-text", role: "alert" }, title),
    el("p", { class: "status-detail" }, error?.trim() || "Unknown error"),
    onRegenerate ? textButton("regenerate", "Try again", onRegenerate) : undefined,
  )
}

export function cancelledView(reason: string | undefined, onRegenerate?: () => void): HTMLElement {
  return section(
    "cancelled",
    el("p", { class: "status-title", role: "status" }, reason ? `Cancelled: ${reason}` : "Cancelled"),
    onRegenerate ? textButton("regenerate", "Try again", onRegenerate) : undefined,
  )
}

/** Where the shown image sits in its batch, with the way to its neighbours. */
export interface BatchPosition {
  /** From 1. */
  position: number
  total: number
  onPrevious?: () => void
  onNext?: () => void
}

export interface CompletedOptions {
  img: ImageItem
  info: ImageInfo
  editedFrom?: string
  onDownload?: () => void
  onEdit?: () => void
  /** The same generation again (regenerate_image). */
  onRegenerate?: () => void
  /** Several new takes (regenerate_image with a fresh seed and n). */
  onVariations?: () => void
  batch?: BatchPosition
  onLoad: () => void
}

export function completedView(o: CompletedOptions): HTMLElement {
  const { info } = o
  const image = el("img", {
    class: "image",
    src: `data:${safeImageMime(o.img.mimeType)};base64,${o.img.data}`,
    alt: info.prompt || "Generated image",
  })
  image.addEventListener("load", o.onLoad)
  image.addEventListener("error", o.onLoad)
  const actions = el("div", { class: "actions" })
  if (o.onEdit) actions.append(iconButton("edit", "Edit image", ICONS.edit, o.onEdit))
  if (o.onDownload) actions.append(iconButton("download", "Download image", ICONS.download, o.onDownload))
  if (o.onRegenerate) actions.append(iconButton("regenerate", "Regenerate", ICONS.regenerate, o.onRegenerate))
  if (o.onVariations) actions.append(iconButton("variations", "Variations", ICONS.variations, o.onVariations))
  const provenance = provenanceLine(info)
  const text = el(
    "div",
    { class: "meta-text" },
    info.prompt ? el("p", { class: "prompt" }, `“${info.prompt}”`) : undefined,
    el("p", { class: "details muted small" }, detailLine(info)),
    provenance ? el("p", { class: "provenance muted small" }, provenance) : undefined,
    info.batchId ? batchLine(info.batchId, o.batch) : undefined,
    o.editedFrom ? el("span", { class: "badge", "data-badge": "edited" }, `Edited from ${o.editedFrom}`) : undefined,
  )
  return section("completed", el("div", { class: "frame" }, image), el("div", { class: "meta" }, text, actions))
}

/** `batch-… · 2 of 4` with buttons to the images before and after it. */
function batchLine(batchId: string, batch: BatchPosition | undefined): HTMLElement {
  const line = el("div", { class: "batch muted small", "data-batch": batchId })
  if (batch?.onPrevious)
    line.append(iconButton("batch-previous", "Previous image of the batch", ICONS.previous, batch.onPrevious))
  line.append(
    el("span", { class: "batch-label" }, batch ? `${batchId} · ${batch.position} of ${batch.total}` : batchId),
  )
  if (batch?.onNext) line.append(iconButton("batch-next", "Next image of the batch", ICONS.next, batch.onNext))
  return line
}

function textButton(name: string, label: string, onClick: () => void): HTMLButtonElement {
  const button = el("button", { type: "button", class: "btn", "data-action": name }, label)
  button.addEventListener("click", onClick)
  return button
}

export function iconButton(name: string, label: string, svg: string, onClick: () => void): HTMLButtonElement {
  const button = el("button", {
    type: "button",
    class: "btn icon-btn",
    "aria-label": label,
    title: label,
    "data-action": name,
  })
  button.append(icon(svg))
  button.addEventListener("click", onClick)
  return button
}
