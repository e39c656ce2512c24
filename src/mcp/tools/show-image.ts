import { z } from "zod"
import { InvalidArgumentError } from "@/core/errors"
import type { McpContext } from "../context"
import { queryOf } from "../resources/image-id"
import { json, jsonResult } from "../results"
import { defineTool } from "../tool"
import { uiMeta, VIEWER_URI } from "./browse-gallery"
import DESCRIPTION from "./show-image.md" with { type: "text" }

export function registerShowImageTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "show_image",
    title: "Show Image",
    description: DESCRIPTION.trim(),
    icon: "eye",
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    meta: uiMeta(VIEWER_URI),
    inputSchema: { uri: z.string().describe("image://<image_id>/view, optionally with a transform query.") },
    handler: async ({ uri }) => {
      const id = parseImageUri(uri)
      const notReady = await ctx.services.generation.notReady(id)
      if (notReady) return jsonResult(notReady)
      const record = await ctx.services.images.require(id)
      const { preview, image, params } = await ctx.services.views.preview(id, queryOf(uri), record)
      const transforms: Record<string, unknown> = {}
      if (params.format) transforms.format = params.format
      if (params.width) transforms.width = params.width
      if (params.height) transforms.height = params.height
      if (params.format && params.quality !== 90) transforms.quality = params.quality
      if (params.cropW && params.cropH) {
        Object.assign(transforms, {
          crop_x: params.cropX,
          crop_y: params.cropY,
          crop_w: params.cropW,
          crop_h: params.cropH,
        })
      }
      if (params.rotate) transforms.rotate = params.rotate
      if (params.flip) transforms.flip = params.flip
      const info = {
        image_id: id,
        prompt: record.prompt,
        provider: record.provider,
        model: (record.providerMetadata.model as string | undefined) ?? null,
        prompt_style: (record.providerMetadata.prompt_style as string | undefined) ?? null,
        dimensions: [image.width, image.height],
        thumbnail_dimensions: [preview.width, preview.height],
        original_size_bytes: record.originalSizeBytes,
        format: image.contentType,
        transforms_applied: transforms,
        seed: record.seed ?? null,
        batch_id: record.batchId ?? null,
        batch_index: record.batchIndex ?? null,
        regenerated_from: record.regeneratedFrom ?? null,
        // Generated images can be made again with regenerate_image; edits and imports cannot.
        can_regenerate: Boolean(record.request),
      }
      return {
        content: [
          { type: "image", data: preview.bytes.toBase64(), mimeType: "image/webp" },
          { type: "text", text: json(info) },
        ],
      }
    },
  })
}

/** The image id of an `image://<id>/…` URI; other schemes are refused with a clear message. */
export function parseImageUri(uri: string): string {
  const match = uri.trim().match(/^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/)
  if (!match) throw new InvalidArgumentError(`Expected an image:// URI such as image://<image_id>/view, got '${uri}'.`)
  const [, scheme = "", id = ""] = match
  if (scheme.toLowerCase() !== "image")
    throw new InvalidArgumentError(`Expected an image:// URI, got scheme '${scheme}'`)
  if (!/^[0-9a-f]{12}$/.test(id)) {
    throw new InvalidArgumentError(`Invalid image id '${id}': expected 12 lowercase hex characters. Read image://list.`)
  }
  return id
}
