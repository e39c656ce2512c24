import { z } from "zod"
import type { McpContext } from "../context"
import { defineTool } from "../tool"
import { confirmAndStart } from "./generation-start"
import DESCRIPTION from "./regenerate-image.md" with { type: "text" }

export function registerRegenerateImageTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "regenerate_image",
    title: "Regenerate Image",
    description: DESCRIPTION.trim(),
    write: true,
    icon: "refresh-cw",
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    inputSchema: {
      image_id: z.string().describe("A generated image, or a generation that failed or was cancelled (its image_id)."),
      changes: z
        .record(z.string(), z.unknown())
        .nullish()
        .describe(
          'Arguments of generate_image / transform_image to change, by their names: e.g. {"aspect_ratio": "16:9"}, {"seed": null, "n": 4} for variations, {"prompt": "…"}. Unset: the same generation again.',
        ),
    },
    handler: async ({ image_id, changes }, extra) => {
      const prepared = await ctx.services.generation.prepareRegenerate(image_id, changes ?? {})
      return confirmAndStart(ctx, prepared, extra, "Regenerated")
    },
  })
}
