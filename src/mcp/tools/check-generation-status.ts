import { z } from "zod"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"

export function registerCheckGenerationStatusTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "check_generation_status",
    title: "Check Generation Status",
    description:
      'Report on a generation started by generate_image, transform_image or regenerate_image: "generating" (with progress and elapsed_seconds, and preview_uri once the provider sent a live preview: read it to see the image forming), "completed", "failed" or "cancelled" (with the reason, on every read for a day), or "unknown". When it says completed, call show_image once with image://<image_id>/view. Given a batch_id (several images from one call), it reports each image in `images` and the batch as a whole: "generating" while any image is, then "completed" if at least one image was made.',
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
    inputSchema: {
      image_id: z.string().describe("An image_id returned by generate_image or transform_image, or their batch_id."),
    },
    handler: async ({ image_id }) => jsonResult(await ctx.services.generation.status(image_id), false),
  })
}
