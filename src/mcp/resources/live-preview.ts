import { NoLivePreviewError } from "@/core/previews/previews"
import type { Services } from "@/core/services"
import { imageIdFrom } from "./image-id"
import type { TemplateResource } from "./registry"

/** `image://{image_id}/live-preview`: the latest preview of a running generation, as the provider sent it. */
export function livePreviewResource(services: Services): TemplateResource {
  return {
    template: "image://{image_id}/live-preview",
    name: "image_live_preview",
    description:
      "The latest preview of a generation still running (a partial image or a sampling step, PNG, JPEG or WebP), while check_generation_status names it as preview_uri. Gone when the generation ends; never the final image.",
    mimeType: "application/octet-stream",
    icon: "loader",
    read: async (uri, variables) => {
      const id = imageIdFrom(variables, uri)
      const preview = services.previews.get(id)
      if (!preview) throw new NoLivePreviewError(id)
      return { contents: [{ uri: uri.toString(), mimeType: preview.contentType, blob: preview.data.toBase64() }] }
    },
  }
}
