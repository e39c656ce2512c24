import { z } from "zod"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"

export function registerCheckGenerationStatusTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "check_generation_status",
    title: "Check Generation Status",
    description:
      'Report on a generation started by generate_image: "generating" (with progress and elapsed_seconds, and preview_uri once the provider sent a live preview: read it to see the image forming), "completed", "failed" (with the error; reported once), or "unknown". When it says completed, call show_image once with image://<image_id>/view.',
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
    inputSchema: { image_id: z.string().describe("The image_id returned by generate_image.") },
    handler: async ({ image_id }) => jsonResult(await ctx.services.generation.status(image_id), false),
  })
}
