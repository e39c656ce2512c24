/** Small DOM helpers: every user-supplied string goes in as text, never as markup. */

type Attrs = Record<string, string | number | boolean | undefined>

/** Creates an element; `true` attributes are set empty, `false`/undefined ones left out; `class` is the class list. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    node.setAttribute(name, value === true ? "" : String(value))
  }
  node.append(...children)
  return node
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
