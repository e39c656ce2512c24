import { ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js"
import type { Variables } from "@modelcontextprotocol/sdk/shared/uriTemplate.js"
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js"
import type { Identity } from "@/core/access"
import { identityFromAuthInfo } from "../auth-info"
import type { McpContext } from "../context"
import { lucideIcon } from "../context"
import { toMcpError } from "../errors"
import { QueryTolerantTemplate } from "../uri-template"

interface ResourceBase {
  name: string
  description: string
  mimeType: string
  icon?: string
  /** `_meta` of the resources/list entry (MCP Apps put `ui` here). */
  meta?: Record<string, unknown>
}

export interface StaticResource extends ResourceBase {
  uri: string
  /** `caller` is who reads it (the local identity on stdio), for resources whose content depends on it. */
  read(uri: URL, caller: Identity): Promise<ReadResourceResult>
}

export interface TemplateResource extends ResourceBase {
  template: string
  read(uri: URL, variables: Variables): Promise<ReadResourceResult>
}

/** The resources this server exposes; also the source for the `list_resources`/`read_resource` bridge. */
export interface ResourceCatalog {
  statics: StaticResource[]
  templates: (TemplateResource & { matcher: QueryTolerantTemplate })[]
}

export function createCatalog(statics: StaticResource[], templates: TemplateResource[]): ResourceCatalog {
  return { statics, templates: templates.map((t) => ({ ...t, matcher: new QueryTolerantTemplate(t.template) })) }
}

export function registerCatalog(ctx: McpContext, catalog: ResourceCatalog): void {
  const meta = (r: ResourceBase) => ({
    description: r.description,
    mimeType: r.mimeType,
    ...(r.icon && { icons: [lucideIcon(r.icon)] }),
    ...(r.meta && { _meta: r.meta }),
  })
  for (const resource of catalog.statics) {
    ctx.server.registerResource(resource.name, resource.uri, meta(resource), (uri, extra) =>
      resource.read(uri, identityFromAuthInfo(extra.authInfo)).catch((error) => Promise.reject(toMcpError(error))),
    )
  }
  for (const resource of catalog.templates) {
    const template = new ResourceTemplate(resource.matcher, { list: undefined })
    ctx.server.registerResource(resource.name, template, meta(resource), (uri, variables) =>
      resource.read(uri, variables).catch((error) => Promise.reject(toMcpError(error))),
    )
  }
}

/** Reads a URI through the same definitions the protocol handlers use, as `caller`. */
export async function readFromCatalog(
  catalog: ResourceCatalog,
  uri: string,
  caller: Identity,
): Promise<ReadResourceResult | undefined> {
  const parsed = URL.canParse(uri) ? new URL(uri) : undefined
  if (!parsed) return undefined
  const exact = catalog.statics.find((r) => r.uri === parsed.toString())
  if (exact) return exact.read(parsed, caller)
  for (const resource of catalog.templates) {
    const variables = resource.matcher.match(parsed.toString())
    if (variables) return resource.read(parsed, variables)
  }
  return undefined
}
