import { el } from "./dom"
import { radioKeyTarget } from "./keys"
import { ORIGINS, type Origin } from "./model"

const LABELS: Record<Origin, string> = { generated: "Generated", imported: "Imported", all: "All" }

/**
 * The origin filter: an ARIA radiogroup with a roving tabindex. Arrow keys, Home and End move the selection (it
 * follows focus, wrapping) and report it through `onSelect`; `sync` only updates the control.
 */
export class OriginFilter {
  readonly element: HTMLElement
  private readonly radios: HTMLButtonElement[]
  private current: Origin = "generated"

  constructor(onSelect: (origin: Origin) => void) {
    this.radios = ORIGINS.map((origin) =>
      el(
        "button",
        { type: "button", role: "radio", class: "seg", "data-origin": origin, "data-focus-key": `origin:${origin}` },
        [LABELS[origin]],
      ),
    )
    this.element = el(
      "div",
      { role: "radiogroup", "aria-label": "Filter by image origin", class: "origin-filter" },
      this.radios,
    )
    this.radios.forEach((radio, index) => {
      const origin = ORIGINS[index] as Origin
      radio.addEventListener("click", () => this.choose(origin, onSelect))
      radio.addEventListener("keydown", (event) => {
        const target = radioKeyTarget(event.key, index, ORIGINS.length)
        if (target === null) return
        event.preventDefault()
        const next = ORIGINS[target] as Origin
        this.radios[target]?.focus()
        this.choose(next, onSelect)
      })
    })
    this.sync("generated")
  }

  get value(): Origin {
    return this.current
  }

  /** Shows `origin` as selected without reloading. */
  sync(origin: Origin): void {
    this.current = origin
    this.radios.forEach((radio, index) => {
      const on = ORIGINS[index] === origin
      radio.setAttribute("aria-checked", String(on))
      radio.tabIndex = on ? 0 : -1
    })
  }

  private choose(origin: Origin, onSelect: (origin: Origin) => void): void {
    const changed = origin !== this.current
    this.sync(origin)
    if (changed) onSelect(origin)
  }
}
