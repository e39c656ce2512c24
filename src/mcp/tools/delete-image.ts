import { z } from "zod"
import { InvalidArgumentError } from "@/core/errors"
import { IMAGE_ID_PATTERN } from "@/core/images/ids"
import type { McpContext } from "../context"
import { pythonRepr, textResult } from "../results"
import { defineTool } from "../tool"

export function registerDeleteImageTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "delete_image",
    title: "Delete Image",
    description:
      "Delete an image from the gallery for good: its original file, its metadata and any cached transforms. This cannot be undone. A failed or cancelled generation's id removes it from the gallery and from check_generation_status.",
    write: true,
    icon: "trash-2",
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
    inputSchema: { image_id: z.string().describe("The 12-character image id (see image://list).") },
    handler: async ({ image_id }) => {
      if (!IMAGE_ID_PATTERN.test(image_id)) {
        throw new InvalidArgumentError(
          `image_id must be 12 lowercase hex characters (see image://list); got ${pythonRepr(image_id)}.`,
        )
      }
      // A failed or cancelled generation has no image but stays listed until it expires or is deleted here.
      const stopped = (await ctx.services.images.get(image_id))
        ? undefined
        : await ctx.services.jobs.deleteStopped(image_id)
      if (stopped) {
        return textResult(
          `Deleted ${stopped.status} generation ${stopped.id} (prompt: ${pythonRepr(stopped.prompt)}, provider: ${stopped.provider})`,
        )
      }
      const record = await ctx.services.images.delete(image_id)
      return textResult(
        `Deleted image ${record.id} (prompt: ${pythonRepr(record.prompt)}, provider: ${record.provider})`,
      )
    },
  })
}
