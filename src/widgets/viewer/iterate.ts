// What the viewer asks the server for around iteration: reruns, variations and the images of a batch.
import type { App } from "@modelcontextprotocol/ext-apps"
import { num, resultJson, type ToolResultLike } from "../shared/tool-result"
import { batchImages } from "./info"

/** How many variations the Variations button asks for, unless the server allows fewer per call. */
export const VARIATIONS = 4

/** regenerate_image, with `changes` when given. */
export function regenerate(app: App, imageId: string, changes?: Record<string, unknown>): Promise<ToolResultLike> {
  return app.callServerTool({
    name: "regenerate_image",
    arguments: { image_id: imageId, ...(changes && { changes }) },
  })
}

/** The server's cap on images per call (get_server_info), remembered after the first answer. */
export class ImageCap {
  private cap: number | undefined

  async get(app: App): Promise<number> {
    if (this.cap !== undefined) return this.cap
    const info = resultJson(await app.callServerTool({ name: "get_server_info", arguments: {} }).catch(() => undefined))
    this.cap = num(info?.max_images_per_call) ?? 1
    return this.cap
  }
}

/** A batch's images in order (from its status), or undefined when the server does not know it. */
export async function loadBatch(app: App, batchId: string): Promise<{ id: string; completed: boolean }[] | undefined> {
  const result = await app.callServerTool({ name: "check_generation_status", arguments: { image_id: batchId } })
  const images = result.isError ? [] : batchImages(resultJson(result))
  return images.length ? images : undefined
}
