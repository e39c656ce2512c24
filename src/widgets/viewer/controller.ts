// The viewer's states (waiting, generating, failed, cancelled, completed, editing) and what moves between them.
import type { App } from "@modelcontextprotocol/ext-apps"
import type { WidgetApp } from "../shared/app"
import { downloadImage, downloadMode } from "../shared/download"
import { reportProblem } from "../shared/notice"
import {
  errorText,
  firstImage,
  firstText,
  type ImageItem,
  parseJsonObject,
  str,
  type ToolResultLike,
} from "../shared/tool-result"
import type { ViewCache } from "./cache"
import { ImageEditor } from "./editor"
import { type ImageInfo, imageInfo, imageKeyOf, progressOf } from "./info"
import { drawLivePreview, type LivePreviewImage, previewOf, readLivePreview } from "./live-preview"
import { cancelledView, completedView, failedView, generatingView, waitingView } from "./views"

/** How often a running generation is polled with check_generation_status. */
export const POLL_MS = 1000

const FOCUSABLE = "button:not(:disabled), select, input, [tabindex]:not([tabindex='-1'])"

interface Shown {
  img: ImageItem
  text?: string
  editedFrom?: string
}

export class ViewerController {
  private readonly main: HTMLElement
  private readonly cache: ViewCache
  private widget!: WidgetApp
  private imageKey: string | undefined
  private shown: Shown | undefined
  /** Bumped on every state change, so late answers of an older state are dropped. */
  private seq = 0
  private poll: ReturnType<typeof setTimeout> | undefined
  private generating: Record<string, unknown> = {}
  /** The newest live preview drawn while generating, kept across polls. */
  private preview: LivePreviewImage | undefined
  /** The preview number being read now (0: none), so polls do not read it twice. */
  private previewLoading = 0
  /** Set while a save runs from the editor: its button is disabled (and so blurred), yet focus belongs in here. */
  private refocus = false

  constructor(main: HTMLElement, cache: ViewCache) {
    this.main = main
    this.cache = cache
  }

  attach(widget: WidgetApp): void {
    this.widget = widget
  }

  private get app(): App {
    return this.widget.app
  }

  toolInput(args: Record<string, unknown> | undefined): void {
    this.imageKey = imageKeyOf(args?.uri)
    this.preview = undefined
    const cached = this.imageKey ? this.cache.get(this.imageKey) : undefined
    if (cached) this.showImage(cached, this.imageKey)
    else this.show(waitingView())
  }

  cancelled(reason: string | undefined): void {
    this.show(cancelledView(reason))
  }

  result(result: ToolResultLike): void {
    const img = firstImage(result)
    const text = firstText(result)
    const json = parseJsonObject(text)
    if (result.isError) this.show(failedView("Could not show the image", errorText(result)))
    else if (img && json?.editable === true) this.edit(img, json)
    else if (img) this.showImage({ img, text }, this.imageKey)
    else this.showStatus(json ?? {})
  }

  /** A result without an image: a generation's status (show_image of a running job, check_generation_status). */
  private showStatus(json: Record<string, unknown>): void {
    const id = str(json.image_id)
    switch (json.status) {
      case "generating":
        this.showGenerating(json)
        break
      case "failed":
        this.show(failedView("Generation failed", str(json.error)))
        break
      case "cancelled":
        this.cancelled(undefined)
        break
      default:
        if (json.status === "completed" && id) void this.load(id, ++this.seq)
        else this.show(failedView("Could not show the image", str(json.error) ?? "The result holds no image."))
    }
  }

  /** Shows one state. Focus inside the widget moves to the new state's first control instead of dropping out. */
  private show(section: HTMLElement): void {
    const active = document.activeElement
    const hadFocus = this.refocus || (active !== document.body && this.main.contains(active))
    this.refocus = false
    this.seq++
    clearTimeout(this.poll)
    this.main.replaceChildren(section)
    if (hadFocus) section.querySelector<HTMLElement>(FOCUSABLE)?.focus()
    this.widget.reportSize()
  }

  private showGenerating(json: Record<string, unknown>): void {
    if (str(json.image_id) !== str(this.generating.image_id)) this.preview = undefined
    this.generating = { ...this.generating, ...json }
    const view = generatingView(progressOf(this.generating))
    this.show(view)
    const id = str(json.image_id)
    if (!id) return
    const seq = this.seq
    if (this.preview) drawLivePreview(view, this.preview, () => this.widget.reportSize())
    const named = previewOf(json)
    if (named && named.number > Math.max(this.preview?.number ?? 0, this.previewLoading))
      void this.loadPreview(named, id)
    this.poll = setTimeout(async () => {
      const status = await this.app
        .callServerTool({ name: "check_generation_status", arguments: { image_id: id } })
        .catch((error: unknown) => ({ isError: true, content: [{ type: "text", text: String(error) }] }))
      if (seq === this.seq) this.result(status)
    }, POLL_MS)
  }

  /** Reads a newer live preview and draws it, if the widget still shows that generation running. */
  private async loadPreview(named: { uri: string; number: number }, id: string): Promise<void> {
    this.previewLoading = named.number
    const src = await readLivePreview(this.widget, named.uri).finally(() => {
      if (this.previewLoading === named.number) this.previewLoading = 0
    })
    const view = this.main.querySelector('[data-state="generating"]')
    if (!src || !view || str(this.generating.image_id) !== id || named.number <= (this.preview?.number ?? 0)) return
    this.preview = { number: named.number, src }
    drawLivePreview(view, this.preview, () => this.widget.reportSize())
  }

  /** Fetches an image with show_image and shows it (after a generation finished or an edit was saved). */
  private async load(id: string, seq: number, editedFrom?: string): Promise<void> {
    const result = await this.app.callServerTool({ name: "show_image", arguments: { uri: `image://${id}/view` } })
    if (seq !== this.seq) return
    const img = firstImage(result)
    if (result.isError || !img) return this.result(result)
    this.showImage({ img, text: firstText(result), editedFrom }, id)
  }

  private showImage(view: Shown, key: string | undefined): void {
    const info = imageInfo(parseJsonObject(view.text))
    const mode = downloadMode(this.widget.hostCapabilities())
    const id = info.imageId
    this.show(
      completedView({
        img: view.img,
        info,
        editedFrom: view.editedFrom,
        onLoad: () => this.widget.reportSize(),
        onDownload:
          id && mode !== "none"
            ? () => void downloadImage(this.app, { imageId: id, mime: info.format ?? "image/png" }, mode)
            : undefined,
        onEdit: id ? () => void this.openEditor(id) : undefined,
      }),
    )
    this.shown = view
    const cacheKey = key ?? id
    if (cacheKey) this.cache.put(cacheKey, view)
  }

  private async openEditor(id: string): Promise<void> {
    const seq = this.seq
    const result = await this.app.callServerTool({ name: "edit_image", arguments: { image_id: id } })
    const img = firstImage(result)
    const json = parseJsonObject(firstText(result))
    if (seq !== this.seq) return
    if (result.isError || !img || !json) {
      reportProblem(`Could not open the editor: ${errorText(result)}`)
      return
    }
    this.edit(img, json)
  }

  private edit(img: ImageItem, json: Record<string, unknown>): void {
    const source: ImageInfo = imageInfo(json)
    const sourceId = source.imageId ?? ""
    const before = this.shown
    const editor = new ImageEditor({
      img,
      sourceImageId: sourceId,
      onResize: () => this.widget.reportSize(),
      onCancel: () => {
        if (before) this.showImage(before, undefined)
        else this.showImage({ img, text: JSON.stringify({ ...json, editable: undefined }) }, undefined)
      },
      onSave: (args) => this.save(args, sourceId),
    })
    this.show(editor.element)
  }

  private async save(args: Record<string, unknown>, sourceId: string): Promise<void> {
    const seq = this.seq
    this.refocus = true
    try {
      const saved = await this.app.callServerTool({ name: "_save_edited_image", arguments: args })
      if (saved.isError) throw new Error(errorText(saved))
      const id = str(parseJsonObject(firstText(saved))?.image_id)
      if (!id) throw new Error("the server returned no image id")
      if (seq === this.seq) await this.load(id, seq, sourceId)
    } catch (error) {
      reportProblem(`Save failed: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      this.refocus = false
    }
  }
}
