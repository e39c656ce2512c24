import { el, iconButton } from "./dom"
import { icon } from "./icons"
import { Debouncer, QUERY_MAX_LENGTH, SEARCH_DEBOUNCE_MS, searchQuery } from "./query"

/**
 * The prompt search box: typing reports the new filter after a pause, Enter at once, the clear button (or Escape)
 * empties it. It only reports when the effective filter changes.
 */
export class SearchBox {
  readonly element: HTMLElement
  readonly input: HTMLInputElement
  private readonly clear: HTMLButtonElement
  private readonly debounce = new Debouncer(SEARCH_DEBOUNCE_MS)
  private applied = ""

  constructor(onSearch: (query: string) => void) {
    this.input = el("input", {
      type: "search",
      id: "gallery-search",
      class: "search-input",
      placeholder: "Search prompts",
      maxlength: QUERY_MAX_LENGTH,
      autocomplete: "off",
      spellcheck: "false",
      enterkeyhint: "search",
      "data-focus-key": "search",
    })
    this.clear = iconButton(icon("close"), "Clear search", { class: "search-clear", hidden: true })
    const label = el("label", { for: "gallery-search", class: "sr-only" }, ["Search images by prompt"])
    this.element = el("div", { role: "search", class: "search" }, [label, this.input, this.clear])

    const report = () => {
      const query = searchQuery(this.input.value)
      if (query === this.applied) return
      this.applied = query
      onSearch(query)
    }
    this.input.addEventListener("input", () => {
      this.clear.hidden = this.input.value === ""
      this.debounce.schedule(report)
    })
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault()
        this.debounce.cancel()
        report()
      } else if (event.key === "Escape" && this.input.value) {
        event.preventDefault()
        event.stopPropagation()
        this.reset(report)
      }
    })
    this.clear.addEventListener("click", () => {
      this.reset(report)
      this.input.focus()
    })
  }

  /** The filter in effect. */
  get value(): string {
    return this.applied
  }

  /** Shows a filter that came from the host (tool arguments or a result) without reporting it. */
  sync(query: string): void {
    if (query === this.applied) return
    this.debounce.cancel()
    this.applied = query
    this.input.value = query
    this.clear.hidden = query === ""
  }

  private reset(report: () => void): void {
    this.debounce.cancel()
    this.input.value = ""
    this.clear.hidden = true
    report()
  }
}
