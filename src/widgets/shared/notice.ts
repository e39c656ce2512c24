import { el } from "./dom"

const SHOW_MS = 8000
let current: { node: HTMLElement; timer: ReturnType<typeof setTimeout> } | undefined

/**
 * Tells the user something went wrong: an alert() where the host's sandbox allows modals, and always a dismissible
 * notice inside the widget (hosts without `allow-modals` silently ignore alert()).
 */
export function reportProblem(message: string): void {
  showNotice(message)
  try {
    alert(message)
  } catch {
    // Some sandboxes throw instead of ignoring the call; the notice is already shown.
  }
}

export function showNotice(message: string): void {
  if (current) {
    clearTimeout(current.timer)
    current.node.remove()
  }
  const close = el("button", { type: "button", class: "notice-close", "aria-label": "Dismiss" }, "×")
  const node = el("div", { class: "notice", role: "alert" }, el("span", {}, message), close)
  const dismiss = () => {
    node.remove()
    if (current?.node === node) current = undefined
  }
  close.addEventListener("click", dismiss)
  document.body.append(node)
  current = { node, timer: setTimeout(dismiss, SHOW_MS) }
}
