import { z } from "zod"
import { isoTimestamp, nowSeconds } from "@/core/time"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"

export function registerListProvidersTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "list_providers",
    title: "List Providers",
    description:
      "List the configured image providers with their models and capabilities (aspect ratios, qualities, formats, negative prompts, transparency, reference images, prompt_style, style_profile), plus a warnings array naming legacy or deprecated models. force_refresh re-runs discovery against each provider.",
    icon: "layers",
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: true, idempotentHint: false },
    inputSchema: {
      force_refresh: z.boolean().default(false).describe("Ask every provider for its models again before answering."),
    },
    handler: async ({ force_refresh }) => {
      const { providers } = ctx.services
      if (force_refresh) await providers.refresh()
      const [entries, warnings] = await Promise.all([providers.entries(), providers.warnings()])
      return jsonResult({ refreshed_at: isoTimestamp(nowSeconds()), providers: entries, warnings })
    },
  })
}
