import type { McpContext } from "../context"
import { json } from "../results"
import { usageView } from "../tools/get-usage"
import type { StaticResource } from "./registry"

/** `usage://summary`: this UTC month's usage and budgets, as `get_usage` reports them with no arguments. */
export function usageResources(ctx: McpContext): StaticResource[] {
  return [
    {
      uri: "usage://summary",
      name: "usage_summary",
      description:
        "This UTC month's image-generation costs by day, provider, model and subject, and the budgets left, as JSON (get_usage with no arguments).",
      mimeType: "application/json",
      icon: "receipt",
      read: async (uri, caller) => {
        const summary = await ctx.services.usage.summary({}, usageView(ctx, caller))
        return { contents: [{ uri: uri.toString(), mimeType: "application/json", text: json(summary) }] }
      },
    },
  ]
}
