import { z } from "zod"
import type { McpContext } from "../context"
import { textResult } from "../results"
import { defineTool } from "../tool"

const FETCH_DESCRIPTION = `Download an image from an http(s) URL into the gallery (origin "imported") and return its image://<id>/view URI, which transform_image and show_image accept.

Only public addresses are fetched: private, loopback, link-local and other reserved addresses are refused, redirects are followed at most 3 times (each hop checked again), and the download is capped in size and time. PNG, JPEG and WebP are accepted. Failures come back as a sentence starting "Could not fetch the image:".`

const INGEST_DESCRIPTION = `Store a base64-encoded image (raw base64, a data: URI, or line-wrapped base64) in the gallery (origin "imported") and return its image://<id>/view URI, which transform_image and show_image accept. For large files over HTTP, prefer create_upload_link when it is available.

PNG, JPEG and WebP are accepted. Failures come back as a sentence starting "Could not decode the image:".`

export function registerIntakeTools(ctx: McpContext): void {
  defineTool(ctx, {
    name: "fetch_image",
    title: "Fetch Image",
    description: FETCH_DESCRIPTION,
    write: true,
    icon: "link",
    annotations: { title: "Fetch Image", readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    inputSchema: { url: z.string().describe("An http:// or https:// URL of a PNG, JPEG or WebP image.") },
    handler: async ({ url }) => textResult((await ctx.services.imports.fetchUrl(url)).message),
  })
  defineTool(ctx, {
    name: "ingest_base64_image",
    title: "Ingest Base64 Image",
    description: INGEST_DESCRIPTION,
    write: true,
    icon: "file-image",
    annotations: { title: "Ingest Base64 Image", readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    inputSchema: { data: z.string().describe("The image as base64, a data:image/...;base64, URI, or wrapped base64.") },
    handler: async ({ data }) => textResult((await ctx.services.imports.ingestBase64(data)).message),
  })
}
