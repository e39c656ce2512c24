import { icon } from "./icons"

export type DisplayMode = "inline" | "fullscreen" | "pip"

const MODES: readonly string[] = ["inline", "fullscreen", "pip"]

/**
 * The host's display modes: which ones it offers, the current one (on `main[data-mode]` for the stylesheet), and
 * the toolbar's fullscreen and picture-in-picture toggles, shown only when the host offers those modes.
 */
export class DisplayModes {
  private current: DisplayMode = "inline"
  private available: readonly string[] = []
  private readonly main: HTMLElement
  private readonly buttons: { fullscreen: HTMLButtonElement; pip: HTMLButtonElement }
  private readonly ask: (mode: DisplayMode) => Promise<DisplayMode>
  private readonly changed: (mode: DisplayMode, previous: DisplayMode) => void

  constructor(opts: {
    main: HTMLElement
    buttons: { fullscreen: HTMLButtonElement; pip: HTMLButtonElement }
    /** Asks the host; resolves with the mode it actually set. */
    request: (mode: DisplayMode) => Promise<DisplayMode>
    onChange: (mode: DisplayMode, previous: DisplayMode) => void
  }) {
    this.main = opts.main
    this.buttons = opts.buttons
    this.ask = opts.request
    this.changed = opts.onChange
    this.buttons.fullscreen.addEventListener("click", () => void this.toggle("fullscreen"))
    this.buttons.pip.addEventListener("click", () => void this.toggle("pip"))
  }

  get mode(): DisplayMode {
    return this.current
  }

  get canFullscreen(): boolean {
    return this.available.includes("fullscreen")
  }

  /** Takes the host context's modes; a host-driven `displayMode` change is applied like a requested one. */
  update(ctx: { displayMode?: string; availableDisplayModes?: string[] }): void {
    if (Array.isArray(ctx.availableDisplayModes)) this.available = ctx.availableDisplayModes
    if (ctx.displayMode && MODES.includes(ctx.displayMode)) this.apply(ctx.displayMode as DisplayMode)
    this.syncButtons()
  }

  /** Switches to `mode`, or back to inline when it is already the current one. */
  async toggle(mode: Exclude<DisplayMode, "inline">): Promise<void> {
    await this.request(this.current === mode ? "inline" : mode)
  }

  async request(mode: DisplayMode): Promise<void> {
    try {
      this.apply(await this.ask(mode))
    } catch (error) {
      console.warn("Display mode change refused:", error)
    }
  }

  private apply(mode: DisplayMode): void {
    if (mode === this.current) return
    const previous = this.current
    this.current = mode
    this.main.dataset.mode = mode
    this.syncButtons()
    this.changed(mode, previous)
  }

  private syncButtons(): void {
    const { fullscreen, pip } = this.buttons
    const full = this.current === "fullscreen"
    fullscreen.hidden = !this.canFullscreen || this.current === "pip"
    setToggle(fullscreen, full, full ? "Exit fullscreen" : "Enter fullscreen")
    fullscreen.replaceChildren(icon(full ? "shrink" : "expand"))
    pip.hidden = !this.available.includes("pip")
    setToggle(pip, this.current === "pip", this.current === "pip" ? "Exit picture-in-picture" : "Picture-in-picture")
  }
}

function setToggle(button: HTMLButtonElement, pressed: boolean, label: string): void {
  button.setAttribute("aria-pressed", String(pressed))
  button.setAttribute("aria-label", label)
  button.title = label
}
