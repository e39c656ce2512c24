// The live preview of a running generation: read from the server (through the host's resource proxy, or the
// read_resource tool where the host only forwards tool calls) and drawn above the progress.
import type { WidgetApp } from "../shared/app"
import { el } from "../shared/dom"
import { errorText, firstText, str } from "../shared/tool-result"
import { safeImageMime } from "./info"

export interface LivePreviewImage {
  /** The status's `preview_number`: a larger one is a newer preview. */
  number: number
  /** A data: URL. */
  src: string
}

/** Magic numbers as they start in base64: PNG, JPEG, WebP (RIFF). */
const SNIFFED: [string, string][] = [
  ["iVBORw0KGgo", "image/png"],
  ["/9j/", "image/jpeg"],
  ["UklGR", "image/webp"],
]

/** Reads a preview resource as a data: URL; undefined when it is gone (the generation ended meanwhile). */
export async function readLivePreview(widget: WidgetApp, uri: string): Promise<string | undefined> {
  if (widget.hostCapabilities().serverResources) {
    const read = await widget.app.readServerResource({ uri }).catch(() => undefined)
    const content = read?.contents[0]
    if (!content || !("blob" in content) || typeof content.blob !== "string") return undefined
    return `data:${safeImageMime(content.mimeType)};base64,${content.blob}`
  }
  const result = await widget.app.callServerTool({ name: "read_resource", arguments: { uri } }).catch(() => undefined)
  const base64 = firstText(result)?.trim()
  if (!result || result.isError || !base64) {
    if (result?.isError) console.warn("Live preview unavailable:", errorText(result))
    return undefined
  }
  const mime = SNIFFED.find(([prefix]) => base64.startsWith(prefix))?.[1]
  return mime ? `data:${mime};base64,${base64}` : undefined
}

/** The `preview_uri` and `preview_number` of a status, when it names a preview. */
export function previewOf(json: Record<string, unknown>): { uri: string; number: number } | undefined {
  const uri = str(json.preview_uri)
  const number = json.preview_number
  return uri && typeof number === "number" ? { uri, number } : undefined
}

/** Shows `preview` at the top of the generating section, replacing an older one. */
export function drawLivePreview(section: Element, preview: LivePreviewImage, onLoad: () => void): void {
  const existing = section.querySelector<HTMLImageElement>("img.live-preview")
  if (existing) {
    existing.src = preview.src
    existing.dataset.previewNumber = String(preview.number)
    return
  }
  const image = el("img", {
    class: "image live-preview",
    src: preview.src,
    alt: "Live preview of the image being generated",
    "data-preview-number": String(preview.number),
  })
  image.addEventListener("load", onLoad)
  image.addEventListener("error", onLoad)
  section.prepend(el("div", { class: "frame live-preview-frame" }, image))
}
