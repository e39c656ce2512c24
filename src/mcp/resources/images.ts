import { VIEW_QUERY } from "@/core/images/ids"
import { imageListItem, pendingListItem } from "@/core/images/items"
import type { Services } from "@/core/services"
import { json } from "../results"
import { imageIdFrom, queryOf } from "./image-id"
import type { StaticResource, TemplateResource } from "./registry"

/** `image://list`: completed images in registry order, then unfinished generations. */
export async function imageListJson(services: Services): Promise<string> {
  const [records, pending] = await Promise.all([services.images.list(), services.jobs.listUnfinished()])
  return json([...records.map(imageListItem), ...pending.map(pendingListItem)])
}

export function imageResources(services: Services): { statics: StaticResource[]; templates: TemplateResource[] } {
  const list: StaticResource = {
    uri: "image://list",
    name: "image_list",
    description: "Every image in the gallery (newest last) and every generation still running or failed, as JSON.",
    mimeType: "application/json",
    icon: "gallery-thumbnails",
    read: async (uri) => ({
      contents: [{ uri: uri.toString(), mimeType: "application/json", text: await imageListJson(services) }],
    }),
  }
  const view: TemplateResource = {
    template: `image://{image_id}/view${VIEW_QUERY}`,
    name: "image_view",
    description:
      "An image's bytes. Without parameters: the original. format (png|jpeg|webp), width/height (one keeps the aspect ratio; both crop to fill), quality (1-100), crop_x/crop_y/crop_w/crop_h (a region), rotate (90|180|270, clockwise) and flip (horizontal|vertical) transform it.",
    mimeType: "application/octet-stream",
    icon: "scan-eye",
    read: async (uri, variables) => {
      const id = imageIdFrom(variables, uri)
      const image = await services.views.view(id, queryOf(uri))
      return { contents: [{ uri: uri.toString(), mimeType: image.contentType, blob: image.bytes.toBase64() }] }
    },
  }
  const metadata: TemplateResource = {
    template: "image://{image_id}/metadata",
    name: "image_metadata",
    description:
      "An image's metadata sidecar (prompt, provider, model parameters, dimensions, provenance) as JSON, with what it cost when the usage ledger has its call.",
    mimeType: "application/json",
    icon: "file-json",
    read: async (uri, variables) => {
      const id = imageIdFrom(variables, uri)
      const text = withCost(await services.images.readSidecar(id), await services.usage.imageCost(id))
      return { contents: [{ uri: uri.toString(), mimeType: "application/json", text }] }
    },
  }
  return { statics: [list], templates: [view, metadata] }
}

/** The sidecar with the image's `cost` added; as stored when the ledger has no call for it (imported images). */
function withCost(sidecar: string, cost: Record<string, unknown> | undefined): string {
  if (!cost) return sidecar
  try {
    return json({ ...(JSON.parse(sidecar) as Record<string, unknown>), cost })
  } catch {
    return sidecar
  }
}
