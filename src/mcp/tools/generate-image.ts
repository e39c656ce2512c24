import { z } from "zod"
import type { McpContext } from "../context"
import { defineTool } from "../tool"
import { confirmAndStart, GENERATION_INPUTS, generationArgs } from "./generation-start"

const DESCRIPTION = `Start generating an image from a text prompt. Returns at once with status "generating" and an image_id; the image is made in the background.

After calling it: tell the user the image is being generated, poll check_generation_status(image_id) until it reports "completed" (or "failed"), then call show_image once with the returned original_uri. Do not poll with show_image. cancel_generation(image_id) stops it. (A client that sends a progress token gets progress notifications instead, and the call returns when the image is done.)

Choosing a provider: provider="auto" (or leaving it out, which uses the server's default) picks one from keywords in the prompt. Call list_providers first to see each provider's models: every model has a prompt_style ("clip" for comma-separated tags, "natural_language" for prose, or null) and, where known, a style_profile describing what it is good and bad at. The warnings array of list_providers flags legacy or deprecated models. The response's prompt_style tells you how the chosen model reads prompts.

aspect_ratio must be one the chosen provider and model accept (list_providers shows supported_aspect_ratios). quality: "standard" or "hd". background: "opaque" or "transparent" (only some models honour transparency). negative_prompt lists what to avoid; providers without native support receive it as an "Avoid:" clause.`

export function registerGenerateImageTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "generate_image",
    title: "Generate Image",
    description: DESCRIPTION,
    write: true,
    icon: "image-plus",
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    inputSchema: {
      prompt: z.string().describe("What to draw. Write it in the style the model expects (see prompt_style)."),
      ...GENERATION_INPUTS,
    },
    handler: async (args, extra) => {
      const prepared = await ctx.services.generation.prepare(generationArgs(args))
      return confirmAndStart(ctx, prepared, extra, "Generated")
    },
  })
}
