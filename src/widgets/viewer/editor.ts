// The image editor: a preview drawn rotated and flipped exactly as the server will save it, a crop box over it
// (pointer and keyboard), aspect presets, rotate both ways, flips, reset, cancel and "Save as new image".
import { el } from "../shared/dom"
import { ICONS } from "../shared/icons"
import type { ImageItem } from "../shared/tool-result"
import { ASPECT_PRESETS, type Corner, dragCorner, fitAspect, fullBox, moveBox, resizeBox } from "./crop-box"
import {
  type Box,
  displayedSize,
  displayMatrix,
  type Orientation,
  originalCrop,
  rotateDisplayed,
  type Size,
  saveArguments,
  toDisplayed,
  toOriginal,
  UPRIGHT,
} from "./crop-math"
import { safeImageMime } from "./info"
import { iconButton } from "./views"

/** Longest preview side in canvas pixels; the crop itself is computed in original pixels. */
const MAX_PREVIEW = 1600
/** Tallest the preview is shown, in CSS pixels; it fills the width otherwise (small images are scaled up). */
const MAX_PREVIEW_HEIGHT = 420

export interface EditorOptions {
  img: ImageItem
  sourceImageId: string
  /** Saves; resolves when done (the editor is usually replaced by then). */
  onSave(args: Record<string, unknown>): Promise<void>
  onCancel(): void
  /** The layout changed (report the new height). */
  onResize(): void
}

export class ImageEditor {
  readonly element: HTMLElement
  private readonly opts: EditorOptions
  private readonly image = new Image()
  private readonly canvas = el("canvas", { class: "editor-canvas", "aria-hidden": "true" })
  private readonly stage = el("div", { class: "stage" })
  private readonly cropBox: HTMLElement
  private readonly summary = el("p", { class: "editor-summary small muted", "aria-live": "polite" })
  private readonly aspect: HTMLSelectElement
  private readonly flipButtons: { h: HTMLButtonElement; v: HTMLButtonElement }
  private readonly saveButton = el(
    "button",
    { type: "button", class: "btn primary", "data-action": "save" },
    "Save as new image",
  )
  private size: Size = { width: 1, height: 1 }
  private orientation: Orientation = UPRIGHT
  private box: Box = { x: 0, y: 0, w: 1, h: 1 }
  private ratio: number | undefined

  constructor(opts: EditorOptions) {
    this.opts = opts
    this.aspect = el("select", { class: "aspect", "aria-label": "Aspect ratio", "data-action": "aspect" })
    for (const [index, preset] of ASPECT_PRESETS.entries())
      this.aspect.append(el("option", { value: index }, preset.label))
    this.aspect.addEventListener("change", () => this.setRatio(ASPECT_PRESETS[Number(this.aspect.value)]?.ratio))
    this.flipButtons = {
      h: iconButton("flip-h", "Flip horizontally", ICONS.flipH, () => this.flip("h")),
      v: iconButton("flip-v", "Flip vertically", ICONS.flipV, () => this.flip("v")),
    }
    const reset = el("button", { type: "button", class: "btn", "data-action": "reset" }, "Reset")
    reset.addEventListener("click", () => this.reset())
    const toolbar = el(
      "div",
      { class: "editor-toolbar", role: "toolbar", "aria-label": "Edit tools" },
      el("label", { class: "aspect-label" }, el("span", { class: "small muted" }, "Aspect"), this.aspect),
      iconButton("rotate-ccw", "Rotate counter-clockwise", ICONS.rotateCcw, () => this.rotate(-1)),
      iconButton("rotate-cw", "Rotate clockwise", ICONS.rotateCw, () => this.rotate(1)),
      this.flipButtons.h,
      this.flipButtons.v,
      reset,
    )
    this.cropBox = this.buildCropBox()
    this.stage.append(el("div", { class: "canvas-wrap" }, this.canvas, this.cropBox))
    new ResizeObserver(() => this.fitCanvas()).observe(this.stage)
    const cancel = el("button", { type: "button", class: "btn", "data-action": "cancel" }, "Cancel")
    cancel.addEventListener("click", () => opts.onCancel())
    this.saveButton.addEventListener("click", () => void this.save())
    this.element = el(
      "section",
      { class: "state state-editing", "data-state": "editing", "aria-label": "Image editor" },
      toolbar,
      this.stage,
      el(
        "p",
        { class: "hint small muted", id: "crop-hint" },
        "Drag the box or its corners. Arrow keys move it; Shift + arrow keys resize it.",
      ),
      this.summary,
      el("div", { class: "editor-actions" }, cancel, this.saveButton),
    )
    this.image.addEventListener("load", () => {
      this.size = { width: this.image.naturalWidth, height: this.image.naturalHeight }
      this.reset()
    })
    this.image.src = `data:${safeImageMime(opts.img.mimeType)};base64,${opts.img.data}`
  }

  private buildCropBox(): HTMLElement {
    const box = el("div", {
      class: "crop-box",
      tabindex: 0,
      role: "group",
      "aria-roledescription": "crop box",
      "aria-label": "Crop area",
      "aria-describedby": "crop-hint",
      "data-handle": "move",
    })
    for (const corner of ["nw", "ne", "sw", "se"] as const) {
      box.append(el("span", { class: `handle handle-${corner}`, "data-handle": corner, "aria-hidden": "true" }))
    }
    box.addEventListener("pointerdown", (event) => this.startDrag(event))
    box.addEventListener("keydown", (event) => this.onKey(event))
    return box
  }

  private get shown(): Size {
    return displayedSize(this.size, this.orientation)
  }

  private reset(): void {
    this.orientation = UPRIGHT
    this.ratio = undefined
    this.aspect.value = "0"
    this.box = fullBox(this.shown)
    this.render()
  }

  private setRatio(ratio: number | undefined): void {
    this.ratio = ratio
    this.box = fitAspect(this.box, ratio, this.shown)
    this.render()
  }

  /** Changes the orientation; the crop box follows the part of the image it covered. */
  private reorient(next: Orientation): void {
    const area = toOriginal(this.box, this.size, this.orientation)
    this.orientation = next
    this.box = fitAspect(toDisplayed(area, this.size, next), this.ratio, this.shown)
    this.render()
  }

  private rotate(direction: 1 | -1): void {
    this.reorient(rotateDisplayed(this.orientation, direction))
  }

  private flip(axis: "h" | "v"): void {
    const o = this.orientation
    this.reorient(axis === "h" ? { ...o, flipH: !o.flipH } : { ...o, flipV: !o.flipV })
  }

  private render(): void {
    const shown = this.shown
    const scale = Math.min(1, MAX_PREVIEW / Math.max(shown.width, shown.height))
    const width = Math.max(1, Math.round(shown.width * scale))
    const height = Math.max(1, Math.round(shown.height * scale))
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width
      this.canvas.height = height
    }
    const ctx = this.canvas.getContext("2d")
    if (ctx) {
      const [a, b, c, d, e, f] = displayMatrix(this.size, this.orientation)
      ctx.setTransform(1, 0, 0, 1, 0, 0)
      ctx.clearRect(0, 0, width, height)
      ctx.setTransform(a * scale, b * scale, c * scale, d * scale, e * scale, f * scale)
      ctx.drawImage(this.image, 0, 0)
    }
    this.fitCanvas()
    this.canvas.dataset.rotate = String(this.orientation.rotate)
    this.flipButtons.h.setAttribute("aria-pressed", String(this.orientation.flipH))
    this.flipButtons.v.setAttribute("aria-pressed", String(this.orientation.flipV))
    this.placeBox()
    this.opts.onResize()
  }

  /** Sizes the preview to the stage's width (at most MAX_PREVIEW_HEIGHT tall), keeping the image's shape. */
  private fitCanvas(): void {
    const shown = this.shown
    const style = getComputedStyle(this.stage)
    const room = this.stage.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight)
    if (room <= 0) return
    const scale = Math.min(room / shown.width, MAX_PREVIEW_HEIGHT / shown.height)
    const width = `${Math.floor(shown.width * scale)}px`
    const height = `${Math.floor(shown.height * scale)}px`
    if (this.canvas.style.width === width && this.canvas.style.height === height) return
    Object.assign(this.canvas.style, { width, height })
    this.opts.onResize()
  }

  private placeBox(): void {
    const { width, height } = this.shown
    const { x, y, w, h } = this.box
    Object.assign(this.cropBox.style, {
      left: `${(x / width) * 100}%`,
      top: `${(y / height) * 100}%`,
      width: `${(w / width) * 100}%`,
      height: `${(h / height) * 100}%`,
    })
    const crop = originalCrop(this.box, this.size, this.orientation)
    const o = this.orientation
    const parts = [crop ? `Crop ${crop.w} × ${crop.h} px` : `Whole image ${this.size.width} × ${this.size.height} px`]
    if (o.rotate) parts.push(`rotated ${o.rotate}° clockwise`)
    if (o.flipH) parts.push("flipped horizontally")
    if (o.flipV) parts.push("flipped vertically")
    this.summary.textContent = parts.join(" · ")
  }

  /** A pointer position in displayed-image units. */
  private toImage(event: PointerEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect()
    const { width, height } = this.shown
    return {
      x: ((event.clientX - rect.left) / rect.width) * width,
      y: ((event.clientY - rect.top) / rect.height) * height,
    }
  }

  private startDrag(event: PointerEvent): void {
    const handle = (event.target as HTMLElement).dataset.handle ?? "move"
    const start = this.toImage(event)
    const origin = { ...this.box }
    this.cropBox.setPointerCapture(event.pointerId)
    event.preventDefault()
    this.cropBox.focus()
    const move = (e: PointerEvent) => {
      const at = this.toImage(e)
      const [dx, dy] = [at.x - start.x, at.y - start.y]
      if (handle === "move") this.box = moveBox(origin, dx, dy, this.shown)
      else {
        // The grabbed corner moves by the pointer's travel (the handle sits inside the corner).
        const corner = handle as Corner
        const x = (corner === "nw" || corner === "sw" ? origin.x : origin.x + origin.w) + dx
        const y = (corner === "nw" || corner === "ne" ? origin.y : origin.y + origin.h) + dy
        this.box = dragCorner(origin, corner, { x, y }, this.ratio, this.shown)
      }
      this.placeBox()
    }
    const end = () => {
      this.cropBox.removeEventListener("pointermove", move)
      this.cropBox.removeEventListener("pointerup", end)
      this.cropBox.removeEventListener("pointercancel", end)
    }
    this.cropBox.addEventListener("pointermove", move)
    this.cropBox.addEventListener("pointerup", end)
    this.cropBox.addEventListener("pointercancel", end)
  }

  private onKey(event: KeyboardEvent): void {
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    }
    const dir = arrows[event.key]
    if (!dir) return
    event.preventDefault()
    const shown = this.shown
    const step = Math.max(1, Math.round(Math.min(shown.width, shown.height) / 50))
    const [dx, dy] = [dir[0] * step, dir[1] * step]
    this.box = event.shiftKey ? resizeBox(this.box, dx, dy, this.ratio, shown) : moveBox(this.box, dx, dy, shown)
    this.placeBox()
  }

  private async save(): Promise<void> {
    const label = this.saveButton.textContent
    this.saveButton.disabled = true
    this.saveButton.textContent = "Saving…"
    try {
      await this.opts.onSave(saveArguments(this.opts.sourceImageId, this.box, this.size, this.orientation))
    } finally {
      // Disabling the focused button dropped focus to the page; give it back when the editor is still shown.
      const lost = document.activeElement === document.body || document.activeElement === this.saveButton
      this.saveButton.disabled = false
      this.saveButton.textContent = label
      if (lost && this.saveButton.isConnected) this.saveButton.focus()
    }
  }
}
