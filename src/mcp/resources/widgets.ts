import { createHash } from "node:crypto"
import { WIDGET_HTML } from "@/assets"
import { type Config, normaliseHttpPath } from "@/config/config"
import { GALLERY_URI, VIEWER_URI } from "../tools/browse-gallery"
import type { StaticResource } from "./registry"

/** The MIME type MCP Apps hosts look for on a widget resource. */
export const WIDGET_MIME = "text/html;profile=mcp-app"

/** The widgets are self-contained: no network access, no outside scripts, styles, images or frames. */
export const WIDGET_CSP = { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }

/**
 * The sandbox origin hosts should give the widgets: APP_DOMAIN verbatim, else a hash of BASE_URL + the MCP path
 * (`<first 32 hex of sha256>.claudemcpcontent.com`), else none (the host picks).
 */
export function widgetDomain(config: Pick<Config, "appDomain" | "baseUrl" | "httpPath">): string | undefined {
  const explicit = config.appDomain?.trim()
  if (explicit) return explicit
  if (!config.baseUrl) return undefined
  const endpoint = config.baseUrl.replace(/\/+$/, "") + normaliseHttpPath(config.httpPath)
  return `${createHash("sha256").update(endpoint).digest("hex").slice(0, 32)}.claudemcpcontent.com`
}

/** `_meta.ui` of both widget resources, on their resources/list entries and their read contents. */
export function widgetUiMeta(config: Pick<Config, "appDomain" | "baseUrl" | "httpPath">): Record<string, unknown> {
  const domain = widgetDomain(config)
  return { ui: { csp: WIDGET_CSP, ...(domain && { domain }) } }
}

export function widgetResources(config: Config): StaticResource[] {
  const meta = widgetUiMeta(config)
  const widget = (uri: string, name: string, description: string, html: string): StaticResource => ({
    uri,
    name,
    description,
    mimeType: WIDGET_MIME,
    meta,
    read: async (url) => ({ contents: [{ uri: url.toString(), mimeType: WIDGET_MIME, text: html, _meta: meta }] }),
  })
  return [
    widget(
      VIEWER_URI,
      "image_viewer",
      "Interactive image viewer for show_image and edit_image results: generation progress, the image with its details, download, and an editor (crop, rotate, flip) that saves a new image.",
      WIDGET_HTML.viewer,
    ),
    widget(
      GALLERY_URI,
      "image_gallery",
      "Interactive gallery for browse_gallery: thumbnails by origin, pages, a full-size lightbox, download and delete.",
      WIDGET_HTML.gallery,
    ),
  ]
}
