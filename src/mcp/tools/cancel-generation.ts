import { z } from "zod"
import { InvalidArgumentError } from "@/core/errors"
import { BATCH_ID_PATTERN } from "@/core/images/ids"
import type { McpContext } from "../context"
import { jsonResult } from "../results"
import { defineTool } from "../tool"

export function registerCancelGenerationTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "cancel_generation",
    title: "Cancel Generation",
    description:
      'Stop a generation started by generate_image, transform_image or regenerate_image. The request to the provider is aborted and the status becomes "cancelled"; no image is stored. A batch_id cancels every image of the batch still generating; an image_id only that image (when several images share one request, the request goes on for the others).',
    write: true,
    icon: "circle-stop",
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false, idempotentHint: true },
    inputSchema: {
      image_id: z.string().describe("The image_id returned by generate_image or transform_image, or their batch_id."),
    },
    handler: async ({ image_id }) => {
      if (BATCH_ID_PATTERN.test(image_id)) {
        const batch = await ctx.services.generation.cancelBatch(image_id)
        if (!batch) throw new InvalidArgumentError(`No batch with id '${image_id}' is known.`)
        return jsonResult(batch, false)
      }
      const result = await ctx.services.jobs.cancel(image_id)
      if (result.outcome === "unknown") {
        throw new InvalidArgumentError(
          `No generation with id '${image_id}' is known. Read image://list to see running generations.`,
        )
      }
      if (result.outcome === "finished") {
        const message = `Generation '${image_id}' has already ${result.status === "generating" ? "finished" : result.status}; nothing to cancel.`
        return jsonResult({ status: result.status, image_id, message }, false)
      }
      return jsonResult({ status: "cancelled", image_id }, false)
    },
  })
}
