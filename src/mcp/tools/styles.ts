import { z } from "zod"
import type { StyleLibrary } from "@/core/styles/library"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"
import SAVE_DESCRIPTION from "./save-style.md" with { type: "text" }

/** `save_style` and `delete_style`; both write, so read-only mode hides them. */
export function registerStyleTools(ctx: McpContext, styles: StyleLibrary): void {
  defineTool(ctx, {
    name: "save_style",
    title: "Save Style",
    description: SAVE_DESCRIPTION,
    write: true,
    icon: "save",
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    inputSchema: {
      name: z.string().describe("Style name: letters, digits, '-' and '_', starting with a letter or digit."),
      body: z.string().describe("The creative brief in Markdown prose."),
      tags: z.array(z.string()).nullish().describe('Tags for browsing, e.g. ["brand", "web"].'),
      provider: z.string().nullish().describe("Provider to suggest when the style is applied, e.g. openai or auto."),
      aspect_ratio: z.string().nullish().describe("Aspect ratio to suggest, e.g. 16:9."),
      quality: z.string().nullish().describe("Quality to suggest: standard or hd."),
    },
    handler: async ({ name, body, tags, provider, aspect_ratio, quality }) => {
      const saved = await styles.save({ name, body, tags, provider, aspectRatio: aspect_ratio, quality })
      return jsonResult(saved)
    },
  })
  defineTool(ctx, {
    name: "delete_style",
    title: "Delete Style",
    description:
      "Delete a style from the style library for good: its Markdown file is removed. Names are listed in style://list.",
    write: true,
    icon: "trash-2",
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
    inputSchema: { name: z.string().describe("The style's name, as listed in style://list.") },
    handler: async ({ name }) => {
      await styles.delete(name)
      return jsonResult({ name, deleted: true })
    },
  })
}
