import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js"
import { z } from "zod"
import { InvalidArgumentError } from "@/core/errors"
import { identityFromAuthInfo } from "../auth-info"
import type { McpContext } from "../context"
import { type ResourceCatalog, readFromCatalog } from "../resources/registry"
import { json, textResult } from "../results"
import { defineTool } from "../tool"

/** `list_resources` and `read_resource`: resources as tools, for clients that only speak tools. */
export function registerResourceBridgeTools(ctx: McpContext, catalog: ResourceCatalog): void {
  defineTool(ctx, {
    name: "list_resources",
    title: "List Resources",
    description:
      "List the resources and resource templates this server offers (for clients that cannot read MCP resources directly). Read one with read_resource.",
    annotations: { readOnlyHint: true },
    inputSchema: {},
    handler: async () => {
      const statics = catalog.statics.map((r) => ({
        uri: r.uri,
        name: r.name,
        description: r.description,
        mime_type: r.mimeType,
      }))
      const templates = catalog.templates.map((t) => ({
        uri_template: t.template,
        name: t.name,
        description: t.description,
      }))
      return textResult(json([...statics, ...templates]))
    },
  })
  defineTool(ctx, {
    name: "read_resource",
    title: "Read Resource",
    description:
      "Read a resource by URI, e.g. image://list, info://providers, image://<id>/metadata or image://<id>/view?width=256. Text comes back as is; binary content as base64.",
    annotations: { readOnlyHint: true },
    inputSchema: { uri: z.string().describe("A resource URI from list_resources.") },
    handler: async ({ uri }, extra) => {
      const result = await readFromCatalog(catalog, uri, identityFromAuthInfo(extra.authInfo))
      if (!result) throw new InvalidArgumentError(`Unknown resource '${uri}'. Call list_resources to see what exists.`)
      return textResult(flatten(result))
    },
  })
}

function flatten(result: ReadResourceResult): string {
  const items = result.contents.map((c) => ({
    content: "text" in c ? c.text : String(c.blob),
    mime_type: c.mimeType ?? null,
  }))
  if (items.length === 1) return items[0]?.content ?? ""
  return json(items)
}
