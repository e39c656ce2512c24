import { SDK_VERSION, VERSION } from "@/version"
import type { McpContext } from "../context"
import { structuredResult } from "../results"
import { defineTool } from "../tool"

export function registerGetServerInfoTool(ctx: McpContext): void {
  defineTool(ctx, {
    name: "get_server_info",
    title: "Get Server Info",
    description:
      "Report this server's name and version, the runtime and MCP SDK versions it runs on, and the most images one call may ask for (max_images_per_call). Useful to verify a deployment.",
    annotations: { readOnlyHint: true },
    inputSchema: {},
    handler: async () =>
      structuredResult({
        server_name: ctx.services.config.serverName,
        server_version: VERSION,
        core_version: `bun ${Bun.version}, @modelcontextprotocol/sdk ${SDK_VERSION}`,
        max_images_per_call: ctx.services.config.maxImagesPerCall,
      }),
  })
}
