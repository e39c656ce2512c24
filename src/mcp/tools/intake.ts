import { z } from "zod"
import type { McpContext } from "../context"
import { textResult } from "../results"
import { defineTool } from "../tool"
import FETCH_DESCRIPTION from "./fetch-image.md" with { type: "text" }
import INGEST_DESCRIPTION from "./ingest-base64-image.md" with { type: "text" }

export function registerIntakeTools(ctx: McpContext): void {
  defineTool(ctx, {
    name: "fetch_image",
    title: "Fetch Image",
    description: FETCH_DESCRIPTION.trim(),
    write: true,
    icon: "link",
    annotations: { title: "Fetch Image", readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    inputSchema: { url: z.string().describe("An http:// or https:// URL of a PNG, JPEG or WebP image.") },
    handler: async ({ url }) => textResult((await ctx.services.imports.fetchUrl(url)).message),
  })
  defineTool(ctx, {
    name: "ingest_base64_image",
    title: "Ingest Base64 Image",
    description: INGEST_DESCRIPTION.trim(),
    write: true,
    icon: "file-image",
    annotations: { title: "Ingest Base64 Image", readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    inputSchema: { data: z.string().describe("The image as base64, a data:image/...;base64, URI, or wrapped base64.") },
    handler: async ({ data }) => textResult((await ctx.services.imports.ingestBase64(data)).message),
  })
}
