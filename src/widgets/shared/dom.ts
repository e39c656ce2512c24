type Attrs = Record<string, string | number | boolean | undefined>
type Child = Node | string | undefined | false

/**
 * Creates an element. Attributes set with setAttribute (`class`, `aria-*`, `data-*` …); `false`/undefined skip one.
 * Text children become text nodes, so server strings are never parsed as HTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    node.setAttribute(name, value === true ? "" : String(value))
  }
  for (const child of children) if (child !== undefined && child !== false) node.append(child)
  return node
}

/** An inline SVG icon from trusted markup (the widget's own constants). */
export function icon(svg: string): SVGElement {
  const template = document.createElement("template")
  template.innerHTML = svg.trim()
  return template.content.firstElementChild as SVGElement
}

/** A labelled progress bar at `percent` (0–100). */
export function progressBar(percent: number, tag: "div" | "span" = "div"): HTMLElement {
  return el(
    tag,
    {
      class: "progress",
      role: "progressbar",
      "aria-label": "Generation progress",
      "aria-valuemin": 0,
      "aria-valuemax": 100,
      "aria-valuenow": percent,
    },
    el(tag, { class: "progress-bar", style: `width:${percent}%` }),
  )
}
