import { z } from "zod"
import type { PreparedGeneration } from "@/core/generation/generation"
import type { McpContext } from "../context"
import { defineTool, type ToolExtra } from "../tool"
import { generationResult } from "./generation-result"

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
      provider: z
        .string()
        .nullish()
        .describe('"auto", "placeholder", "openai", "gemini" or "sd_webui". Unset uses the server default.'),
      negative_prompt: z.string().nullish().describe("What the image should not contain."),
      aspect_ratio: z.string().default("1:1").describe('Width:height, e.g. "1:1", "16:9", "9:16", "3:2", "2:3".'),
      quality: z.string().default("standard").describe('"standard" or "hd".'),
      background: z.string().default("opaque").describe('"opaque" or "transparent".'),
      model: z.string().nullish().describe("A model_id from list_providers; unset uses the provider's default."),
    },
    handler: async (args, extra) => {
      const { generation } = ctx.services
      const prepared = await generation.prepare({
        prompt: args.prompt,
        provider: args.provider,
        negativePrompt: args.negative_prompt,
        aspectRatio: args.aspect_ratio,
        quality: args.quality,
        background: args.background,
        model: args.model,
      })
      if (generation.needsConfirmation(prepared) && !(await confirmCost(ctx, prepared, extra))) {
        return {
          content: [{ type: "text", text: `Image generation cancelled — ${prepared.provider} was not confirmed.` }],
        }
      }
      return generationResult(ctx, await generation.start(prepared), extra, "Generated")
    },
  })
}

/** Asks the user (when the client supports elicitation) whether a paid provider may be used. */
export async function confirmCost(ctx: McpContext, prepared: PreparedGeneration, extra: ToolExtra): Promise<boolean> {
  try {
    if (!ctx.server.server.getClientCapabilities()?.elicitation) return true
  } catch {
    return true
  }
  const model = prepared.model ? ` (${prepared.model})` : ""
  const answer = await ctx.server.server.elicitInput(
    {
      message: `This will use ${prepared.provider}${model}, which costs money. Proceed?`,
      requestedSchema: { type: "object", properties: {} },
    },
    { relatedRequestId: extra.requestId },
  )
  return answer.action === "accept"
}
