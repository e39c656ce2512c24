import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { z } from "zod"
import type { GenerateArgs, PreparedGeneration } from "@/core/generation/generation"
import { identityFromAuthInfo } from "../auth-info"
import type { McpContext } from "../context"
import type { ToolExtra } from "../tool"
import { generationResult } from "./generation-result"

/** The arguments generate_image and transform_image share. */
export const GENERATION_INPUTS = {
  provider: z
    .string()
    .nullish()
    .describe('"auto", "placeholder", "openai", "gemini" or "sd_webui". Unset uses the server default.'),
  negative_prompt: z.string().nullish().describe("What the image should not contain."),
  aspect_ratio: z.string().default("1:1").describe('Width:height, e.g. "1:1", "16:9", "9:16", "3:2", "2:3".'),
  quality: z.string().default("standard").describe('"standard" or "hd".'),
  background: z.string().default("opaque").describe('"opaque" or "transparent".'),
  model: z.string().nullish().describe("A model_id from list_providers; unset uses the provider's default."),
}

type SharedInputs = z.infer<z.ZodObject<typeof GENERATION_INPUTS>> & { prompt: string }

/** Tool arguments (snake_case) as the core's generation arguments. */
export function generationArgs(args: SharedInputs): GenerateArgs {
  return {
    prompt: args.prompt,
    provider: args.provider,
    negativePrompt: args.negative_prompt,
    aspectRatio: args.aspect_ratio,
    quality: args.quality,
    background: args.background,
    model: args.model,
  }
}

/** Asks for the cost confirmation where it applies, then starts the job and answers. */
export async function confirmAndStart(
  ctx: McpContext,
  prepared: PreparedGeneration,
  extra: ToolExtra,
  label: "Generated" | "Transformed",
): Promise<CallToolResult> {
  const { generation } = ctx.services
  if (generation.needsConfirmation(prepared) && !(await confirmCost(ctx, prepared, extra))) {
    return { content: [{ type: "text", text: `Image generation cancelled — ${prepared.provider} was not confirmed.` }] }
  }
  const subject = identityFromAuthInfo(extra.authInfo).subject
  const started = await generation.start(prepared, { transform: label === "Transformed", subject })
  return generationResult(ctx, started, extra, label)
}

/** Asks the user (when the client supports elicitation) whether a paid provider may be used. */
async function confirmCost(ctx: McpContext, prepared: PreparedGeneration, extra: ToolExtra): Promise<boolean> {
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
