import { z } from "zod"
import { viewUri } from "@/core/images/ids"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"
import { uiMeta } from "./browse-gallery"
import { editorOf } from "./edit-image"

/** App-only and `write`: the image editor's Save. */
export function registerSaveEditedImageTool(ctx: McpContext): void {
  const editor = editorOf(ctx)
  defineTool(ctx, {
    name: "_save_edited_image",
    title: "Save Edited Image",
    description:
      "Save an edit made in the image editor as a new gallery image (provider 'edited', the source's prompt, source_image_ids [source]). Applied in order: crop, rotate (clockwise), flip horizontally, flip vertically; the source's format is kept.",
    write: true,
    appOnly: true,
    annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    meta: uiMeta(undefined, { appOnly: true }),
    inputSchema: {
      source_image_id: z.string().describe("The image that was edited."),
      crop: z
        .record(z.string(), z.unknown())
        .nullable()
        .optional()
        .describe("Region to keep, {x, y, w, h} in source pixels (integers)."),
      rotate: z.number().nullable().optional().describe("Clockwise degrees: 90, 180 or 270."),
      flip_horizontal: z.boolean().default(false).describe("Mirror left and right."),
      flip_vertical: z.boolean().default(false).describe("Mirror top and bottom."),
    },
    handler: async ({ source_image_id, crop, rotate, flip_horizontal, flip_vertical }) => {
      const record = await editor.save({
        sourceImageId: source_image_id,
        crop,
        rotate,
        flipHorizontal: flip_horizontal,
        flipVertical: flip_vertical,
      })
      return jsonResult({ image_id: record.id, source_image_id, original_uri: viewUri(record.id) }, false)
    },
  })
}
