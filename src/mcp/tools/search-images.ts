import { z } from "zod"
import { imageListItem } from "@/core/images/items"
import { SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, searchImages } from "@/core/images/search"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"

const DESCRIPTION = `Search the gallery by prompt text, with optional provider, origin and date filters. Every word must appear in the prompt (case and accents ignored; the last word also matches longer words it begins, so "light" finds "lighthouse"). Results are newest first (order "relevance" ranks the best matches first) and have the same shape as image://list entries; total counts every match. Show one with show_image(image://<image_id>/view).`

export function registerSearchImagesTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "search_images",
    title: "Search Images",
    description: DESCRIPTION,
    icon: "search",
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    inputSchema: {
      query: z.string().max(500).describe("Words to find in the prompt, e.g. 'lighthouse dusk'."),
      provider: z
        .string()
        .optional()
        .describe("Only this provider (exact name, e.g. openai, gemini, sd_webui, edited)."),
      origin: z.enum(["generated", "imported", "all"]).optional().describe("generated, imported, or all (default)."),
      since: z.string().optional().describe("Created on or after: an ISO date (2026-03-24) or timestamp, UTC."),
      until: z.string().optional().describe("Created on or before: an ISO date (the whole day) or timestamp, UTC."),
      limit: z
        .number()
        .int()
        .min(1)
        .max(SEARCH_MAX_LIMIT)
        .default(SEARCH_DEFAULT_LIMIT)
        .describe(`How many results, 1-${SEARCH_MAX_LIMIT}.`),
      order: z.enum(["newest", "relevance"]).default("newest").describe("newest (default) or relevance."),
    },
    handler: async (args) => {
      const { total, records } = await searchImages(ctx.services.store.images, args)
      return jsonResult({ query: args.query, total, items: records.map(imageListItem) }, false)
    },
  })
}
