import { errorText, firstText, type ToolResultLike } from "../shared/tool-result"
import { ConfirmDialog } from "./confirm"
import { type DisplayMode, DisplayModes } from "./display-modes"
import { byFocusKey, el, focusables } from "./dom"
import { parseFullImage } from "./full-image"
import { emptyText, gridList, pagination, pipList } from "./grid"
import { Lightbox } from "./lightbox"
import { ModalLayer } from "./modal"
import {
  type CompletedItem,
  completedItems,
  DEFAULT_PAGE_SIZE,
  type GalleryItem,
  type GalleryPageData,
  isOrigin,
  parseGalleryPage,
} from "./model"
import { OriginFilter } from "./origin-filter"
import { lightboxStep, pageAfterDelete, pageCount, pickOnPage, reopenAfterDelete } from "./paging"
import { searchQuery } from "./query"
import { SearchBox } from "./search-box"
import { RequestSequence } from "./sequence"
import { GalleryView } from "./view"

/** What the gallery needs from the MCP Apps host (main.ts wires it to the ext-apps App). */
export interface GalleryHost {
  callTool(name: string, args: Record<string, unknown>): Promise<ToolResultLike>
  requestDisplayMode(mode: DisplayMode): Promise<DisplayMode>
  canDownload(): boolean
  download(item: CompletedItem): Promise<unknown>
  reportSize(): void
}

export interface HostContextLike {
  displayMode?: string
  availableDisplayModes?: string[]
  locale?: string
}

const DELETE_QUESTION = "Delete this image? This cannot be undone."

/** The gallery widget: state, page loads (newest request wins), lightbox, delete and display modes. */
export class GalleryController {
  private readonly host: GalleryHost
  private readonly main: HTMLElement
  private readonly seq = new RequestSequence()
  private readonly view: GalleryView
  private readonly filter: OriginFilter
  private readonly search: SearchBox
  private readonly confirm: ConfirmDialog
  private readonly lightbox: Lightbox
  private page = 1
  private pageSize = DEFAULT_PAGE_SIZE
  private total = 0
  private items: GalleryItem[] = []
  private readonly modes: DisplayModes
  private locale: string | undefined
  private fullRequest = 0
  /** Set when the lightbox found no image beyond a page edge (only pending generations there). */
  private edge: { id: string; dir: -1 | 1 } | null = null
  /** The focus key of an element a loading state hid (empty string: focus was there, without a key). */
  private lostFocus: string | null = null

  constructor(main: HTMLElement, host: GalleryHost) {
    this.main = main
    this.host = host
    this.filter = new OriginFilter(() => void this.goTo(1))
    this.search = new SearchBox(() => void this.goTo(1))
    this.view = new GalleryView(main, [this.filter.element, this.search.element])
    const layer = new ModalLayer(main)
    this.confirm = new ConfirmDialog(layer)
    this.lightbox = new Lightbox(layer, {
      step: (dir) => void this.step(dir),
      close: () => this.closeLightbox(),
      remove: (item) => void this.remove(item),
      download: (item) => void this.host.download(item),
      toggleFullscreen: () => void this.modes.toggle("fullscreen"),
      formatDate: (iso) => this.formatDate(iso),
    })
    this.view.append(this.lightbox.element, this.confirm.element)
    this.view.retry.addEventListener("click", () => void this.goTo(this.page || 1))
    this.view.emptyClear.addEventListener("click", () => {
      this.search.sync("")
      this.search.input.focus()
      void this.goTo(1)
    })
    this.modes = new DisplayModes({
      main,
      buttons: this.view.modeButtons,
      request: (mode) => this.host.requestDisplayMode(mode),
      onChange: (mode, previous) => this.modeChanged(mode, previous),
    })
    this.view.show("loading")
  }

  // ---- host events ----

  onToolInput(args: Record<string, unknown> | undefined): void {
    this.seq.next()
    if (isOrigin(args?.origin)) this.filter.sync(args.origin)
    if (typeof args?.query === "string") this.search.sync(searchQuery(args.query))
    if (this.lightbox.isOpen) this.closeLightbox()
    this.view.setBusy(false)
    this.showLoading()
    this.reportSize()
  }

  /** Shows the loading state; focus inside the section it hides is remembered, to be given back after. */
  private showLoading(): void {
    const active = document.activeElement
    if (active instanceof HTMLElement && this.view.sections[this.view.state].contains(active)) {
      this.lostFocus = active.dataset.focusKey ?? ""
    }
    this.view.show("loading")
    this.reportSize()
  }

  /** Shows (or, with "", hides) the message line under the toolbar; the widget's height changes with it. */
  private notice(text: string): void {
    this.view.showNotice(text)
    this.reportSize()
  }

  /** Gives focus back after a state change hid the focused element. */
  private restoreFocus(active: HTMLElement | null, key: string | undefined): void {
    const lost = this.lostFocus
    this.lostFocus = null
    const current = document.activeElement
    if (active && (!active.isConnected || active.closest("[hidden]"))) this.focusKeyOrContent(key)
    else if (lost !== null && (!current || current === document.body)) this.focusKeyOrContent(lost)
  }

  onToolResult(result: ToolResultLike): void {
    this.seq.next()
    const data = result.isError ? null : parseGalleryPage(firstText(result))
    if (!data) {
      this.fail(result.isError ? errorText(result) : "The gallery result held no page.")
      return
    }
    this.apply(data)
  }

  onToolCancelled(reason: string | undefined): void {
    this.seq.next()
    this.fail(reason ? `The request was cancelled: ${reason}` : "The request was cancelled.")
  }

  onHostContext(ctx: HostContextLike): void {
    if (ctx.locale) this.locale = ctx.locale
    this.modes.update(ctx)
  }

  // ---- page loads ----

  /** Loads a page with the current filters; resolves with it, or null when it failed or a newer request won. */
  async goTo(page: number): Promise<GalleryPageData | null> {
    const ticket = this.seq.next()
    this.notice("")
    if (this.view.state === "grid" || this.view.state === "empty") this.view.setBusy(true)
    else this.showLoading()
    const query = this.search.value
    const args = { page, page_size: this.pageSize, origin: this.filter.value, ...(query && { query }) }
    let result: ToolResultLike
    try {
      result = await this.host.callTool("gallery_page", args)
    } catch (error) {
      if (this.seq.isCurrent(ticket)) this.fail(error instanceof Error ? error.message : String(error))
      return null
    }
    if (!this.seq.isCurrent(ticket)) return null
    const data = result.isError ? null : parseGalleryPage(firstText(result))
    if (!data) {
      this.fail(result.isError ? errorText(result) : "The gallery answered without a page.")
      return null
    }
    this.apply(data)
    return data
  }

  private apply(data: GalleryPageData): void {
    if (data.origin) this.filter.sync(data.origin)
    this.search.sync(data.query)
    this.page = data.page
    this.pageSize = data.pageSize
    this.total = data.total
    this.items = data.items
    this.render()
  }

  private fail(detail: string): void {
    console.warn("Gallery request failed:", detail)
    const hadLightbox = this.lightbox.isOpen
    if (hadLightbox) this.closeLightbox()
    const active = document.activeElement
    const inSection = active instanceof HTMLElement && this.view.sections[this.view.state].contains(active)
    const hadFocus = hadLightbox || inSection || (this.lostFocus !== null && active === document.body)
    this.lostFocus = null
    this.view.setBusy(false)
    this.view.errorDetail.textContent = detail
    this.view.show("error")
    if (hadFocus) this.view.retry.focus()
    this.view.announce(`Could not load the gallery. ${detail}`)
    this.reportSize()
  }

  // ---- rendering ----

  private render(): void {
    const active = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const focusKey = active?.dataset.focusKey
    this.view.setBusy(false)
    const completed = completedItems(this.items)
    const pages = pageCount(this.total, this.pageSize)
    if (this.modes.mode === "pip") {
      this.view.gridSlot.replaceChildren(pipList(completed, (item) => void this.openFromPip(item)))
      this.view.show("grid")
    } else if (this.total === 0) {
      const text = emptyText(this.filter.value, this.search.value)
      this.view.emptyTitle.textContent = text.title
      this.view.emptySub.replaceChildren(...text.sub)
      this.view.emptyClear.hidden = !this.search.value
      this.view.show("empty")
      this.view.announce(text.title)
    } else {
      const actions = {
        open: (item: CompletedItem) => this.openLightbox(item),
        remove: (item: CompletedItem) => void this.remove(item),
        ...(this.host.canDownload() && { download: (item: CompletedItem) => void this.host.download(item) }),
      }
      const parts: HTMLElement[] = [gridList(this.items, actions)]
      if (!this.items.length) parts.unshift(el("p", { class: "muted page-empty" }, ["Nothing on this page."]))
      if (pages > 1) parts.push(pagination(this.page, pages, (page) => void this.goTo(page)))
      this.view.gridSlot.replaceChildren(...parts)
      this.view.show("grid")
      const count = `${this.total} ${this.total === 1 ? "item" : "items"}`
      this.view.announce(pages > 1 ? `${count}, page ${this.page} of ${pages}` : count)
    }
    this.restoreFocus(active, focusKey)
    if (this.lightbox.current) this.lightbox.setNav(this.navFor(this.lightbox.current.id))
    this.reportSize()
  }

  private focusKeyOrContent(key: string | undefined): void {
    const target = key ? byFocusKey(this.main, key) : null
    if (target && !target.closest("[hidden]")) target.focus()
    else this.focusContent()
  }

  /** Focus for when the focused element went away: the first card, else the selected origin. */
  private focusContent(): void {
    const section = this.view.sections[this.view.state]
    const target = focusables(section)[0] ?? byFocusKey(this.main, `origin:${this.filter.value}`)
    target?.focus()
  }

  /** Size reports are suppressed in fullscreen, where the host sizes the widget. */
  get reportsSize(): boolean {
    return this.modes.mode !== "fullscreen"
  }

  private reportSize(): void {
    if (this.reportsSize) this.host.reportSize()
  }

  // ---- lightbox ----

  private openLightbox(item: CompletedItem): void {
    this.edge = null
    this.lightbox.setFullscreen(this.modes.canFullscreen, this.modes.mode === "fullscreen")
    this.lightbox.setDownloadable(this.host.canDownload())
    this.lightbox.show(item, this.navFor(item.id))
    this.main.classList.add("lb-open")
    this.reportSize()
    void this.loadFull(item.id)
  }

  private async loadFull(id: string): Promise<void> {
    const ticket = ++this.fullRequest
    try {
      const result = await this.host.callTool("gallery_full_image", { image_id: id })
      if (ticket !== this.fullRequest) return
      const full = result.isError ? null : parseFullImage(firstText(result))
      if (full) this.lightbox.showFull(id, full)
      else this.lightbox.showFullError(id, result.isError ? errorText(result) : "unexpected answer")
    } catch (error) {
      if (ticket === this.fullRequest)
        this.lightbox.showFullError(id, error instanceof Error ? error.message : "failed")
    }
  }

  private closeLightbox(): void {
    const id = this.lightbox.current?.id
    this.fullRequest++
    this.lightbox.close(id ? byFocusKey(this.main, `open:${id}`) : null)
    this.main.classList.remove("lb-open")
    if (!this.main.contains(document.activeElement)) this.focusContent()
    this.reportSize()
  }

  private navFor(id: string): { prev: boolean; next: boolean } {
    const place = { page: this.page, pageSize: this.pageSize, total: this.total, items: this.items, currentId: id }
    const open = (dir: -1 | 1) => lightboxStep(dir, place) !== null && !(this.edge?.id === id && this.edge.dir === dir)
    return { prev: open(-1), next: open(1) }
  }

  private async step(dir: -1 | 1): Promise<void> {
    const current = this.lightbox.current
    if (!current) return
    const place = { page: this.page, pageSize: this.pageSize, total: this.total, items: this.items }
    const target = lightboxStep(dir, { ...place, currentId: current.id })
    if (!target) return
    if (target.kind === "same-page") {
      const item = completedItems(this.items).find((i) => i.id === target.id)
      if (item) this.openLightbox(item)
      return
    }
    const from = this.page
    const data = await this.goTo(target.page)
    if (!data || this.lightbox.current?.id !== current.id) return
    const id = pickOnPage(data.items, target.pick)
    const item = completedItems(data.items).find((i) => i.id === id)
    if (item) {
      this.openLightbox(item)
      return
    }
    await this.goTo(from)
    this.edge = { id: current.id, dir }
    if (this.lightbox.current) this.lightbox.setNav(this.navFor(current.id))
  }

  // ---- delete ----

  private async remove(item: CompletedItem): Promise<void> {
    this.notice("")
    if (!(await this.confirm.ask(DELETE_QUESTION))) return
    const fromLightbox = this.lightbox.current?.id === item.id
    const oldIndex = completedItems(this.items).findIndex((i) => i.id === item.id)
    // The lightbox covers (and makes inert) the notice line, so it shows a failure itself.
    const report = (text: string) => {
      if (fromLightbox && this.lightbox.isOpen) this.lightbox.showMessage(`Could not delete the image: ${text}`)
      else this.notice(`Could not delete the image: ${text}`)
    }
    let result: ToolResultLike
    try {
      result = await this.host.callTool("delete_image", { image_id: item.id })
    } catch (error) {
      report(error instanceof Error ? error.message : String(error))
      return
    }
    if (result.isError) {
      report(errorText(result))
      return
    }
    const target = pageAfterDelete(this.total, this.page, this.pageSize)
    const samePage = target === this.page
    const data = await this.goTo(target)
    if (!data) return
    this.view.announce("Image deleted.")
    // Back a page, the deleted image's neighbour is that page's last image.
    const nextId = reopenAfterDelete(data.items, samePage && oldIndex >= 0 ? oldIndex : Number.MAX_SAFE_INTEGER)
    const next = completedItems(data.items).find((i) => i.id === nextId)
    if (fromLightbox && this.lightbox.isOpen) {
      if (next) this.openLightbox(next)
      else this.closeLightbox()
      return
    }
    this.focusKeyOrContent(next && `open:${next.id}`)
  }

  // ---- display modes ----

  private modeChanged(mode: DisplayMode, previous: DisplayMode): void {
    if (mode === "pip" && this.lightbox.isOpen) this.closeLightbox()
    if (this.lightbox.isOpen) this.lightbox.setFullscreen(this.modes.canFullscreen, mode === "fullscreen")
    if (previous === "pip") void this.goTo(this.page)
    else if (mode === "pip" && this.view.state === "grid") this.render()
    this.reportSize()
  }

  private async openFromPip(item: CompletedItem): Promise<void> {
    await this.modes.request("inline")
    this.openLightbox(item)
  }

  private formatDate(iso: string): string {
    const date = new Date(iso)
    if (Number.isNaN(date.getTime())) return iso
    try {
      return date.toLocaleString(this.locale, { dateStyle: "medium", timeStyle: "short" })
    } catch {
      return date.toLocaleString()
    }
  }
}
