// The viewer's read-only states. Each returns one <section data-state="…">; the controller shows one at a time.
import { el, icon, progressBar } from "../shared/dom"
import { ICONS } from "../shared/icons"
import type { ImageItem } from "../shared/tool-result"
import { detailLine, type ImageInfo, type Progress, safeImageMime } from "./info"

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

export function failedView(title: string, error: string | undefined): HTMLElement {
  return section(
    "failed",
    el("p", { class: "status-title error-text", role: "alert" }, title),
    el("p", { class: "status-detail" }, error?.trim() || "Unknown error"),
  )
}

export function cancelledView(reason: string | undefined): HTMLElement {
  return section(
    "cancelled",
    el("p", { class: "status-title", role: "status" }, reason ? `Cancelled: ${reason}` : "Cancelled"),
  )
}

export interface CompletedOptions {
  img: ImageItem
  info: ImageInfo
  editedFrom?: string
  onDownload?: () => void
  onEdit?: () => void
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
  const text = el(
    "div",
    { class: "meta-text" },
    info.prompt ? el("p", { class: "prompt" }, `“${info.prompt}”`) : undefined,
    el("p", { class: "details muted small" }, detailLine(info)),
    o.editedFrom ? el("span", { class: "badge", "data-badge": "edited" }, `Edited from ${o.editedFrom}`) : undefined,
  )
  return section("completed", el("div", { class: "frame" }, image), el("div", { class: "meta" }, text, actions))
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
