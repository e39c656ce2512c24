import { z } from "zod"
import type { McpContext } from "../context"
import { defineTool } from "../tool"
import { confirmAndStart, generationArgs, generationInputs } from "./generation-start"
import DESCRIPTION from "./transform-image.md" with { type: "text" }

export function registerTransformImageTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "transform_image",
    title: "Transform Image",
    description: DESCRIPTION.trim(),
    write: true,
    icon: "images",
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    inputSchema: {
      prompt: z.string().describe("What to make from the references (an edit instruction or a description)."),
      reference_images: z.array(z.string()).describe("Gallery ids or image://<id>/view URIs, in order."),
      ...generationInputs(ctx.services.config.maxImagesPerCall),
      strength: z.number().nullish().describe("0.0-1.0: how much the result may differ from the reference (SD WebUI)."),
      mask: z.string().nullish().describe("A gallery image used as an inpainting mask (OpenAI gpt-image models)."),
    },
    handler: async (args, extra) => {
      const prepared = await ctx.services.generation.prepareTransform({
        ...generationArgs(args),
        referenceImages: args.reference_images,
        strength: args.strength,
        mask: args.mask,
      })
      return confirmAndStart(ctx, prepared, extra, "Transformed")
    },
  })
}
