import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { z } from "zod"
import type { GenerateArgs, PreparedGeneration } from "@/core/generation/generation"
import type { Quote } from "@/core/usage/ledger"
import { formatUsd } from "@/core/usage/money"
import { utcMinute } from "@/core/usage/periods"
import { identityFromAuthInfo } from "../auth-info"
import type { McpContext } from "../context"
import type { ToolExtra } from "../tool"
import { generationResult } from "./generation-result"

/** The arguments generate_image and transform_image share. */
export const GENERATION_INPUTS = {
  provider: z
    .string()
    .nullish()
    .describe('"auto", "placeholder", "openai", "gemini", "sd_webui" or "comfyui". Unset uses the server default.'),
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
  const subject = identityFromAuthInfo(extra.authInfo).subject
  if (generation.needsConfirmation(prepared)) {
    // Before asking: a call a budget refuses is refused now, not after the user said yes.
    const quote = await generation.quote(prepared, subject)
    if (!(await confirmCost(ctx, prepared, quote, extra))) {
      return {
        content: [{ type: "text", text: `Image generation cancelled — ${prepared.provider} was not confirmed.` }],
      }
    }
  }
  const started = await generation.start(prepared, { transform: label === "Transformed", subject })
  return generationResult(ctx, started, extra, label)
}

/** Asks the user (when the client supports elicitation) whether a paid provider may be used, showing the cost. */
async function confirmCost(
  ctx: McpContext,
  prepared: PreparedGeneration,
  quote: Quote | undefined,
  extra: ToolExtra,
): Promise<boolean> {
  try {
    if (!ctx.server.server.getClientCapabilities()?.elicitation) return true
  } catch {
    return true
  }
  const model = prepared.model ? ` (${prepared.model})` : ""
  const cost = quote ? ` ${costSentence(quote)}` : ""
  const answer = await ctx.server.server.elicitInput(
    {
      message: `This will use ${prepared.provider}${model}, which costs money.${cost} Proceed?`,
      requestedSchema: { type: "object", properties: {} },
    },
    { relatedRequestId: extra.requestId },
  )
  return answer.action === "accept"
}

/** "Estimated cost: $0.053 (1 image, 1024x1024). Budget left: $0.947 of the server's daily budget of $1.00 (resets …)." */
export function costSentence(quote: Quote): string {
  const { estimate } = quote
  const images = estimate.n === 1 ? "1 image" : `${estimate.n} images`
  const details = [images, estimate.size].filter(Boolean).join(", ")
  const price =
    estimate.micros === null
      ? "Estimated cost: unknown (no list price for this model and size)."
      : `Estimated cost: ${formatUsd(estimate.micros)} (${details}).`
  if (!quote.budgets.length) return `${price} No budget is set.`
  const left = quote.budgets.map(
    (b) =>
      `${formatUsd(b.remainingMicros)} of ${b.subject === undefined ? "the server's" : "your"} ${b.period} budget of ${formatUsd(b.limitMicros)} (resets ${utcMinute(b.resetsAt)})`,
  )
  return `${price} Budget left: ${left.join("; ")}.`
}
