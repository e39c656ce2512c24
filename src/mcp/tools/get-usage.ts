import { z } from "zod"
import type { Identity } from "@/core/access"
import { AppError } from "@/core/errors"
import { identityFromAuthInfo } from "../auth-info"
import type { McpContext } from "../context"
import { structuredResult } from "../results"
import { defineTool } from "../tool"

/**
 * Whose calls a caller may total: everyone's without an ACL (stdio, or HTTP without ACL_PATH) or with the ACL's
 * `*` scope; otherwise only their own. Asking for another subject without the right is refused, not narrowed.
 */
export function usageView(ctx: McpContext, caller: Identity, requested?: string | null) {
  const all = !ctx.acl || ctx.acl.subjects.get(caller.subject)?.has("*") === true
  if (!all && requested && requested !== caller.subject) {
    throw new AppError(
      "forbidden",
      "usage_not_visible",
      "Only callers granted '*' in the ACL can see other subjects' usage.",
      {
        tag: null,
      },
    )
  }
  const subject = requested || (all ? undefined : caller.subject)
  return { subject, budgetSubject: subject ?? caller.subject }
}

export function registerGetUsageTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "get_usage",
    title: "Get Usage",
    description:
      "What image generation has cost over a period: totals by UTC day, provider, model and subject, from the usage ledger (estimates from list prices; the provider's invoice is authoritative), and what the daily and monthly budgets have left and when they reset. Defaults to this UTC month so far.",
    annotations: { readOnlyHint: true, openWorldHint: false },
    icon: "receipt",
    inputSchema: {
      since: z
        .string()
        .nullish()
        .describe("First day (YYYY-MM-DD, UTC) or an ISO timestamp. Default: the first day of this UTC month."),
      until: z
        .string()
        .nullish()
        .describe("Last day (YYYY-MM-DD, included) or an ISO timestamp (excluded). Default: now."),
      subject: z
        .string()
        .nullish()
        .describe("Only this caller's calls. Callers without the ACL's '*' scope only ever see their own."),
    },
    handler: async (args, extra) => {
      const view = usageView(ctx, identityFromAuthInfo(extra.authInfo), args.subject)
      const summary = await ctx.services.usage.summary({ since: args.since, until: args.until }, view)
      return structuredResult(summary)
    },
  })
}
