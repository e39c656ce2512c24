import { firstLine } from "@/core/styles/front-matter"
import type { StyleLibrary } from "@/core/styles/library"
import { json } from "../results"
import type { StaticResource, TemplateResource } from "./registry"

/** What the style resources need from the services. */
export interface StyleServices {
  styles: StyleLibrary
}

/** `style://list` as JSON: one summary per style, sorted by name. */
export async function styleListJson(styles: StyleLibrary): Promise<string> {
  const items = (await styles.list()).map((s) => ({
    name: s.name,
    tags: s.tags,
    description: firstLine(s.body),
    provider: s.provider,
    aspect_ratio: s.aspectRatio,
    quality: s.quality,
  }))
  return json(items)
}

export function styleResources(services: StyleServices): { statics: StaticResource[]; templates: TemplateResource[] } {
  const { styles } = services
  const list: StaticResource = {
    uri: "style://list",
    name: "style_list",
    description:
      "The saved styles (reusable creative briefs), sorted by name, with tags, a one-line summary and their default provider, aspect ratio and quality, as JSON. Apply one with the apply_style prompt.",
    mimeType: "application/json",
    icon: "palette",
    read: async (uri) => ({
      contents: [{ uri: uri.toString(), mimeType: "application/json", text: await styleListJson(styles) }],
    }),
  }
  const detail: TemplateResource = {
    template: "style://{name}",
    name: "style_detail",
    description: "One style's Markdown file as stored: the front-matter defaults followed by the creative brief.",
    mimeType: "text/markdown",
    icon: "palette",
    read: async (uri, variables) => {
      const text = await styles.readRaw(decodeName(variables.name))
      return { contents: [{ uri: uri.toString(), mimeType: "text/markdown", text }] }
    },
  }
  return { statics: [list], templates: [detail] }
}

/** The `{name}` variable arrives percent-encoded; names are looked up, never used as paths. */
function decodeName(raw: string | string[] | undefined): string {
  const value = (Array.isArray(raw) ? raw[0] : raw) ?? ""
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
