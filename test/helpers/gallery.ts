import type { Services } from "@/core/services"
import type { ImageRecord } from "@/storage/types"

/** Adds bytes to the gallery directly, as an edit or import would. */
export function addImage(
  services: Services,
  bytes: Uint8Array,
  fields: Partial<ImageRecord> = {},
): Promise<ImageRecord> {
  return services.images.register({
    bytes,
    contentType: fields.contentType ?? "image/png",
    prompt: fields.prompt ?? "test image",
    provider: fields.provider ?? "placeholder",
    aspectRatio: fields.aspectRatio ?? "1:1",
    quality: fields.quality ?? "standard",
    background: fields.background ?? "opaque",
    providerMetadata: fields.providerMetadata,
  })
}
