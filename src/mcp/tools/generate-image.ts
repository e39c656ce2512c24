import { z } from "zod"
import type { McpContext } from "../context"
import { defineTool } from "../tool"
import DESCRIPTION from "./generate-image.md" with { type: "text" }
import { confirmAndStart, generationArgs, generationInputs } from "./generation-start"

export function registerGenerateImageTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "generate_image",
    title: "Generate Image",
    description: DESCRIPTION.trim(),
    write: true,
    icon: "image-plus",
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    inputSchema: {
      prompt: z.string().describe("What to draw. Write it in the style the model expects (see prompt_style)."),
      ...generationInputs(ctx.services.config.maxImagesPerCall),
    },
    handler: async (args, extra) => {
      const prepared = await ctx.services.generation.prepare(generationArgs(args))
      return confirmAndStart(ctx, prepared, extra, "Generated")
    },
  })
}
