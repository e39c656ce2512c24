/** Small DOM helpers: every user-supplied string goes in as text, never as markup. */

import { el as createElement } from "../shared/dom"

type Attrs = Record<string, string | number | boolean | undefined>

/** `el` of shared/dom.ts with the children as one array, as the gallery's views build them. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  return createElement(tag, attrs, ...children)
}

/** A button with an icon and an accessible name (shown as a tooltip too). */
export function iconButton(icon: SVGElement, label: string, attrs: Attrs = {}): HTMLButtonElement {
  const { class: extra, ...rest } = attrs
  return el(
    "button",
    { type: "button", class: `btn icon-btn ${extra ?? ""}`.trim(), "aria-label": label, title: label, ...rest },
    [icon],
  )
}

/** Focusable descendants, in tab order as far as the DOM order goes. */
export function focusables(root: HTMLElement): HTMLElement[] {
  const selector = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])'
  return [...root.querySelectorAll<HTMLElement>(selector)].filter(
    (node) => !node.hasAttribute("disabled") && !node.closest("[hidden]") && node.tabIndex >= 0,
  )
}

/** Finds the element carrying `data-focus-key=key` under root. */
export function byFocusKey(root: ParentNode, key: string): HTMLElement | null {
  return root.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)
}
