import { z } from "zod"
import { Gallery } from "@/core/images/gallery"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"

/** The MCP Apps widgets the tools attach to. */
export const VIEWER_URI = "ui://image-viewer/view.html"
export const GALLERY_URI = "ui://image-gallery/view.html"

/**
 * MCP Apps tool metadata: the widget a tool's result opens in (`ui.resourceUri`, plus the older flat
 * `ui/resourceUri` key) and, for tools only widgets call, `visibility: ["app"]`.
 */
export function uiMeta(resourceUri: string | undefined, opts: { appOnly?: boolean } = {}): Record<string, unknown> {
  const ui = { ...(resourceUri && { resourceUri }), ...(opts.appOnly && { visibility: ["app"] }) }
  return { ui, ...(resourceUri && { "ui/resourceUri": resourceUri }) }
}

export const ORIGIN_FILTER = z
  .enum(["generated", "imported", "all"])
  .default("generated")
  .describe("generated (default; includes generations still running or failed), imported, or all.")

export const QUERY_FILTER = z
  .string()
  .max(500)
  .optional()
  .describe("Only images whose prompt contains these words (as in search_images).")

/** A Gallery over the context's services; it holds no state, so each server can have its own. */
export function galleryOf(ctx: McpContext): Gallery {
  const { store, images, views, jobs } = ctx.services
  return new Gallery({ store: store.images, images, views, jobs })
}

export function registerBrowseGalleryTool(ctx: McpContext): void {
  const gallery = galleryOf(ctx)
  defineTool(ctx, {
    name: "browse_gallery",
    title: "Browse Gallery",
    description:
      "Open the image gallery: the first 12 items, generations still running or failed first, then images newest first, each with a small thumbnail. Hosts with MCP Apps show it as an interactive gallery. To find images by prompt, provider or date, search_images is better.",
    icon: "images",
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    meta: uiMeta(GALLERY_URI),
    inputSchema: { origin: ORIGIN_FILTER, query: QUERY_FILTER },
    handler: async ({ origin, query }) => jsonResult(await gallery.page({ page: 1, origin, query }), false),
  })
}
