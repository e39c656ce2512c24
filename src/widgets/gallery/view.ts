import { el, iconButton } from "./dom"
import { icon } from "./icons"

export type StateName = "loading" | "empty" | "error" | "grid"

/** The gallery's fixed skeleton: toolbar slots, the four state sections, a live region and a notice line. */
export class GalleryView {
  readonly toolbar: HTMLElement
  readonly modeButtons: { fullscreen: HTMLButtonElement; pip: HTMLButtonElement }
  readonly sections: Record<StateName, HTMLElement>
  readonly gridSlot: HTMLElement
  readonly emptyTitle: HTMLElement
  readonly emptySub: HTMLElement
  readonly emptyClear: HTMLButtonElement
  readonly errorDetail: HTMLElement
  readonly retry: HTMLButtonElement
  private readonly live: HTMLElement
  private readonly notice: HTMLElement
  private readonly main: HTMLElement

  constructor(main: HTMLElement, controls: HTMLElement[]) {
    this.main = main
    const fullscreen = iconButton(icon("expand"), "Enter fullscreen", { class: "mode-fullscreen", hidden: true })
    const pip = iconButton(icon("pip"), "Picture-in-picture", { class: "mode-pip", hidden: true })
    this.modeButtons = { fullscreen, pip }
    this.toolbar = el("div", { class: "toolbar" }, [
      ...controls,
      el("span", { class: "mode-buttons" }, [fullscreen, pip]),
    ])
    this.live = el("p", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true" })
    this.notice = el("p", { class: "page-notice", role: "alert", hidden: true })

    const loading = el("section", { class: "state state-loading", "aria-label": "Loading" }, [
      el("span", { class: "spinner", "aria-hidden": "true" }),
      el("span", {}, ["Loading gallery…"]),
    ])
    this.emptyTitle = el("p", { class: "empty-title" })
    this.emptySub = el("p", { class: "empty-sub muted" })
    this.emptyClear = el("button", { type: "button", class: "btn", hidden: true }, ["Clear search"])
    const empty = el("section", { class: "state state-empty" }, [this.emptyTitle, this.emptySub, this.emptyClear])
    this.errorDetail = el("p", { class: "error-detail muted" })
    this.retry = el("button", { type: "button", class: "btn", "data-focus-key": "retry" }, ["Retry"])
    const error = el("section", { class: "state state-error", role: "alert" }, [
      el("p", { class: "error-title error-text" }, ["Could not load the gallery"]),
      this.errorDetail,
      this.retry,
    ])
    this.gridSlot = el("div", { class: "grid-slot" })
    const grid = el("section", { class: "state state-grid" }, [this.gridSlot])
    this.sections = { loading, empty, error, grid }
    main.replaceChildren(this.toolbar, this.notice, loading, empty, error, grid)
    // Outside main: dialogs make main's other children inert, which would silence the announcements.
    document.body.append(this.live)
  }

  show(state: StateName): void {
    for (const [name, section] of Object.entries(this.sections)) section.hidden = name !== state
    this.main.dataset.state = state
  }

  get state(): StateName {
    return (this.main.dataset.state as StateName | undefined) ?? "loading"
  }

  setBusy(busy: boolean): void {
    this.main.toggleAttribute("aria-busy", busy)
    this.main.classList.toggle("busy", busy)
  }

  announce(text: string): void {
    this.live.textContent = text
  }

  /** A message that stays until the next action (e.g. a failed delete). */
  showNotice(text: string): void {
    this.notice.textContent = text
    this.notice.hidden = !text
  }

  append(...nodes: HTMLElement[]): void {
    this.main.append(...nodes)
  }
}
