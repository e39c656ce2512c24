import { z } from "zod"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"
import { GALLERY_URI, galleryOf, uiMeta } from "./browse-gallery"

/** App-only: the gallery lightbox's image. */
export function registerGalleryFullImageTool(ctx: McpContext): void {
  const gallery = galleryOf(ctx)
  defineTool(ctx, {
    name: "gallery_full_image",
    title: "Gallery Full Image",
    description:
      "An image for the gallery lightbox, base64: the original up to 1 MiB, otherwise a WebP at most 1024 px wide. dimensions are the original's.",
    appOnly: true,
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    meta: uiMeta(GALLERY_URI, { appOnly: true }),
    inputSchema: { image_id: z.string().describe("The image id.") },
    handler: async ({ image_id }) => jsonResult(await gallery.fullImage(image_id), false),
  })
}
