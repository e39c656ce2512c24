import { thumbnailSrc } from "./cards"
import { el, iconButton } from "./dom"
import { icon } from "./icons"
import type { ModalLayer } from "./modal"
import type { CompletedItem } from "./model"

export interface FullImage {
  b64: string
  contentType: string
  dimensions: [number, number] | null
  createdAt: string | null
}

export interface LightboxActions {
  step(dir: -1 | 1): void
  close(): void
  remove(item: CompletedItem): void
  download?: (item: CompletedItem) => void
  toggleFullscreen(): void
  formatDate(iso: string): string
}

const SAFE_MIME = /^image\/(png|jpeg|webp|gif)$/

/** The lightbox dialog: one image large, with prev/next, fullscreen, download, delete and close. */
export class Lightbox {
  readonly element: HTMLElement
  private readonly layer: ModalLayer
  private readonly actions: LightboxActions
  private readonly img: HTMLImageElement
  private readonly prompt: HTMLElement
  private readonly info: HTMLElement
  private readonly status: HTMLElement
  private readonly prev: HTMLButtonElement
  private readonly next: HTMLButtonElement
  private readonly fullscreen: HTMLButtonElement
  private readonly download: HTMLButtonElement
  private readonly closeButton: HTMLButtonElement
  private item: CompletedItem | null = null

  constructor(layer: ModalLayer, actions: LightboxActions) {
    this.layer = layer
    this.actions = actions
    this.img = el("img", { class: "lb-img", alt: "", decoding: "async" })
    this.prompt = el("p", { id: "lb-prompt", class: "lb-prompt" })
    this.info = el("p", { class: "lb-info muted small" })
    this.status = el("p", { class: "lb-status small", role: "status" })
    this.prev = iconButton(icon("prev"), "Previous image", { class: "lb-nav lb-prev" })
    this.next = iconButton(icon("next"), "Next image", { class: "lb-nav lb-next" })
    this.fullscreen = iconButton(icon("expand"), "Enter fullscreen", { class: "lb-fullscreen", hidden: true })
    this.download = iconButton(icon("download"), "Download image", { class: "lb-download", hidden: true })
    const remove = iconButton(icon("trash"), "Delete image", { class: "lb-delete danger" })
    this.closeButton = iconButton(icon("close"), "Close", { class: "lb-close" })

    const toolbar = el("div", { class: "lb-toolbar" }, [this.fullscreen, this.download, remove, this.closeButton])
    const stage = el("div", { class: "lb-stage" }, [
      this.prev,
      el("figure", { class: "lb-figure" }, [this.img]),
      this.next,
    ])
    const meta = el("div", { class: "lb-meta" }, [this.prompt, this.info, this.status])
    const backdrop = el("div", { class: "lb-backdrop" })
    this.element = el(
      "div",
      { class: "lightbox", role: "dialog", "aria-modal": "true", "aria-labelledby": "lb-prompt", hidden: true },
      [backdrop, el("div", { class: "lb-panel" }, [toolbar, stage, meta])],
    )

    backdrop.addEventListener("click", () => actions.close())
    this.closeButton.addEventListener("click", () => actions.close())
    this.prev.addEventListener("click", () => this.stepIfEnabled(-1))
    this.next.addEventListener("click", () => this.stepIfEnabled(1))
    this.fullscreen.addEventListener("click", () => actions.toggleFullscreen())
    this.download.addEventListener("click", () => this.item && actions.download?.(this.item))
    remove.addEventListener("click", () => this.item && actions.remove(this.item))
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault()
        actions.close()
      } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault()
        this.stepIfEnabled(event.key === "ArrowLeft" ? -1 : 1)
      }
    })
  }

  get isOpen(): boolean {
    return this.layer.isOpen(this.element)
  }

  get current(): CompletedItem | null {
    return this.item
  }

  /** Shows `item` at once from its thumbnail; the full image follows through `showFull`. */
  show(item: CompletedItem, nav: { prev: boolean; next: boolean }): void {
    this.item = item
    this.element.dataset.imageId = item.id
    const thumb = thumbnailSrc(item)
    if (thumb) this.img.src = thumb
    else this.img.removeAttribute("src")
    delete this.img.dataset.full
    this.img.alt = item.prompt || "Untitled image"
    this.prompt.textContent = item.prompt ? `“${item.prompt}”` : "Untitled image"
    this.info.textContent = this.infoLine(item.provider, item.dimensions, item.createdAt)
    this.status.textContent = "Loading full image…"
    this.element.setAttribute("aria-busy", "true")
    this.setNav(nav)
    if (!this.isOpen) this.layer.open(this.element, this.closeButton)
  }

  showFull(id: string, full: FullImage): void {
    if (this.item?.id !== id) return
    const mime = SAFE_MIME.test(full.contentType) ? full.contentType : "image/png"
    this.img.src = `data:${mime};base64,${full.b64}`
    this.img.dataset.full = "true"
    this.info.textContent = this.infoLine(this.item.provider, full.dimensions, full.createdAt)
    this.status.textContent = ""
    this.element.removeAttribute("aria-busy")
  }

  showFullError(id: string, message: string): void {
    if (this.item?.id !== id) return
    this.status.textContent = `Could not load the full image: ${message}`
    this.element.removeAttribute("aria-busy")
  }

  /** A line under the image for the user (e.g. a failed delete). */
  showMessage(text: string): void {
    this.status.textContent = text
  }

  setNav(nav: { prev: boolean; next: boolean }): void {
    for (const [button, enabled] of [
      [this.prev, nav.prev],
      [this.next, nav.next],
    ] as const) {
      button.setAttribute("aria-disabled", String(!enabled))
    }
  }

  setFullscreen(available: boolean, active: boolean): void {
    this.fullscreen.hidden = !available
    this.fullscreen.replaceChildren(icon(active ? "shrink" : "expand"))
    const label = active ? "Exit fullscreen" : "Enter fullscreen"
    this.fullscreen.setAttribute("aria-label", label)
    this.fullscreen.title = label
    this.fullscreen.setAttribute("aria-pressed", String(active))
  }

  setDownloadable(enabled: boolean): void {
    this.download.hidden = !enabled
  }

  /** Hides the dialog; focus goes to `restoreTo` (or where it was before opening). */
  close(restoreTo?: HTMLElement | null): void {
    this.item = null
    delete this.element.dataset.imageId
    delete this.img.dataset.full
    this.layer.close(this.element, restoreTo)
  }

  private stepIfEnabled(dir: -1 | 1): void {
    const button = dir < 0 ? this.prev : this.next
    if (button.getAttribute("aria-disabled") !== "true") this.actions.step(dir)
  }

  private infoLine(provider: string, dims: [number, number] | null, createdAt: string | null): string {
    const parts = [provider, dims ? `${dims[0]}×${dims[1]}px` : "", createdAt ? this.actions.formatDate(createdAt) : ""]
    return parts.filter(Boolean).join(" · ")
  }
}
