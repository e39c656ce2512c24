import { z } from "zod"
import type { McpContext } from "../context"
import { defineTool } from "../tool"
import { confirmAndStart, GENERATION_INPUTS, generationArgs } from "./generation-start"

const DESCRIPTION = `Make a new image from one or more reference images and a prompt (image-to-image, editing, composition). Returns at once with status "generating", an image_id and source_image_ids; the image is made in the background.

reference_images are gallery ids or image://<id>/view URIs (or server file paths when the operator allows local files). To use an outside image first bring it into the gallery: fetch_image for a URL, ingest_base64_image for base64 data, or create_upload_link (HTTP deployments) for a file.

provider="auto" picks a provider whose models take that many references (max_input_images in list_providers) and, with a mask, support masks (OpenAI gpt-image models). strength (0.0-1.0, SD WebUI only) sets how far the result may move from the reference. After calling it: tell the user, poll check_generation_status(image_id), then call show_image once with original_uri.`

export function registerTransformImageTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "transform_image",
    title: "Transform Image",
    description: DESCRIPTION,
    write: true,
    icon: "images",
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    inputSchema: {
      prompt: z.string().describe("What to make from the references (an edit instruction or a description)."),
      reference_images: z.array(z.string()).describe("Gallery ids or image://<id>/view URIs, in order."),
      ...GENERATION_INPUTS,
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
