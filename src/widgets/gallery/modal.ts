import { focusables } from "./dom"
import { trapTarget } from "./keys"

/**
 * Stacked modal dialogs inside the widget: while one is open everything else in `root` is inert, Tab cycles
 * within the top dialog, and closing it returns focus to where it was (if that element still exists).
 */
export class ModalLayer {
  private readonly root: HTMLElement
  private readonly stack: { dialog: HTMLElement; restore: HTMLElement | null }[] = []

  constructor(root: HTMLElement) {
    this.root = root
    document.addEventListener("keydown", (event) => {
      const top = this.stack[this.stack.length - 1]
      if (event.key !== "Tab" || !top) return
      const active = document.activeElement instanceof HTMLElement ? document.activeElement : null
      const target = trapTarget(focusables(top.dialog), active, event.shiftKey)
      if (!target) return
      event.preventDefault()
      target.focus()
    })
  }

  isOpen(dialog: HTMLElement): boolean {
    return this.stack.some((entry) => entry.dialog === dialog)
  }

  open(dialog: HTMLElement, focus: HTMLElement): void {
    if (!this.isOpen(dialog)) {
      const active = document.activeElement instanceof HTMLElement ? document.activeElement : null
      this.stack.push({ dialog, restore: active })
    }
    dialog.hidden = false
    this.updateInert()
    focus.focus()
  }

  /** Closes `dialog`; focus goes to `restoreTo` when given, else back to where it was before opening. */
  close(dialog: HTMLElement, restoreTo?: HTMLElement | null): void {
    const index = this.stack.findIndex((entry) => entry.dialog === dialog)
    if (index < 0) return
    const [entry] = this.stack.splice(index, 1)
    dialog.hidden = true
    this.updateInert()
    const target = restoreTo ?? entry?.restore
    if (target?.isConnected && !target.closest("[inert]")) target.focus()
  }

  private updateInert(): void {
    const top = this.stack[this.stack.length - 1]?.dialog
    for (const child of this.root.children) {
      if (child instanceof HTMLElement) child.inert = top !== undefined && child !== top
    }
  }
}
