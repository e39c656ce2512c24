import { el } from "./dom"
import type { ModalLayer } from "./modal"

/**
 * An in-widget confirmation (role="alertdialog"). Hosts sandbox widgets without `allow-modals`, where
 * window.confirm() returns false at once, so a native dialog would make deleting impossible there.
 */
export class ConfirmDialog {
  readonly element: HTMLElement
  private readonly message: HTMLElement
  private readonly accept: HTMLButtonElement
  private readonly cancel: HTMLButtonElement
  private readonly layer: ModalLayer
  private settle: ((ok: boolean) => void) | undefined

  constructor(layer: ModalLayer) {
    this.layer = layer
    this.message = el("p", { id: "confirm-message", class: "confirm-message" })
    this.cancel = el("button", { type: "button", class: "btn" }, ["Cancel"])
    this.accept = el("button", { type: "button", class: "btn danger-fill" }, ["Delete"])
    const panel = el("div", { class: "confirm-panel" }, [
      this.message,
      el("div", { class: "confirm-buttons" }, [this.cancel, this.accept]),
    ])
    this.element = el(
      "div",
      {
        class: "confirm",
        role: "alertdialog",
        "aria-modal": "true",
        "aria-describedby": "confirm-message",
        hidden: true,
      },
      [panel],
    )
    this.element.setAttribute("aria-label", "Confirm")
    this.accept.addEventListener("click", () => this.finish(true))
    this.cancel.addEventListener("click", () => this.finish(false))
    this.element.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return
      event.preventDefault()
      event.stopPropagation()
      this.finish(false)
    })
    this.element.addEventListener("click", (event) => {
      if (event.target === this.element) this.finish(false)
    })
  }

  /** Asks; resolves true only when the user chose the confirming button. Focus starts on Cancel. */
  ask(message: string, acceptLabel = "Delete"): Promise<boolean> {
    this.settle?.(false)
    this.message.textContent = message
    this.accept.textContent = acceptLabel
    this.layer.open(this.element, this.cancel)
    return new Promise((resolve) => {
      this.settle = resolve
    })
  }

  private finish(ok: boolean): void {
    const settle = this.settle
    this.settle = undefined
    this.layer.close(this.element)
    settle?.(ok)
  }
}
