import { z } from "zod"
import { ImageEditor } from "@/core/images/editor"
import type { McpContext } from "../context"
import { json } from "../results"
import { defineTool } from "../tool"
import { uiMeta, VIEWER_URI } from "./browse-gallery"

export function editorOf(ctx: McpContext): ImageEditor {
  return new ImageEditor(ctx.services.images, ctx.services.config.maxInputPixels)
}

export function registerEditImageTool(ctx: McpContext): void {
  const editor = editorOf(ctx)
  defineTool(ctx, {
    name: "edit_image",
    title: "Edit Image",
    description:
      "Open an image in the image editor (crop, rotate clockwise, flip). Returns the full-resolution original and its details; hosts with MCP Apps show an editor whose Save adds the edited copy to the gallery as a new image (not available in read-only mode). For a one-off transformed view, use show_image with a transform query instead.",
    icon: "crop",
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    meta: uiMeta(VIEWER_URI),
    inputSchema: { image_id: z.string().describe("The image to edit (see image://list).") },
    handler: async ({ image_id }) => {
      const { record, bytes } = await editor.open(image_id)
      const info = {
        editable: true,
        image_id: record.id,
        content_type: record.contentType,
        dimensions: [record.width, record.height],
        prompt: record.prompt,
        provider: record.provider,
      }
      return {
        content: [
          { type: "text", text: json(info, false) },
          { type: "image", data: Buffer.from(bytes).toString("base64"), mimeType: record.contentType },
        ],
      }
    },
  })
}
