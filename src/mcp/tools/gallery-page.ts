import { z } from "zod"
import { GALLERY_PAGE_SIZE } from "@/core/images/gallery"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"
import { GALLERY_URI, galleryOf, ORIGIN_FILTER, QUERY_FILTER, uiMeta } from "./browse-gallery"

/** App-only: the gallery widget's pagination. */
export function registerGalleryPageTool(ctx: McpContext): void {
  const gallery = galleryOf(ctx)
  defineTool(ctx, {
    name: "gallery_page",
    title: "Gallery Page",
    description:
      "One page of the gallery for the gallery widget: unfinished generations first, then images newest first. page starts at 1; page_size is kept within 1-24.",
    appOnly: true,
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    meta: uiMeta(GALLERY_URI, { appOnly: true }),
    inputSchema: {
      page: z.number().int().default(1).describe("Page number, from 1."),
      page_size: z.number().int().default(GALLERY_PAGE_SIZE).describe("Items per page, 1-24."),
      origin: ORIGIN_FILTER,
      query: QUERY_FILTER,
    },
    handler: async ({ page, page_size, origin, query }) =>
      jsonResult(await gallery.page({ page, pageSize: page_size, origin, query }), false),
  })
}
