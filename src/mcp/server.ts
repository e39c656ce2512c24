import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import type { Services } from "@/core/services"
import { VERSION } from "@/version"
import { lucideIcon, type McpContext, type Transport } from "./context"
import { serverInstructions } from "./instructions"
import { imageResources } from "./resources/images"
import { providerResources } from "./resources/providers"
import { createCatalog, registerCatalog } from "./resources/registry"
import { decorateToolList } from "./tool-list"
import { registerCancelGenerationTool } from "./tools/cancel-generation"
import { registerCheckGenerationStatusTool } from "./tools/check-generation-status"
import { registerDeleteImageTool } from "./tools/delete-image"
import { registerGenerateImageTool } from "./tools/generate-image"
import { registerGetServerInfoTool } from "./tools/get-server-info"
import { registerIntakeTools } from "./tools/intake"
import { registerListProvidersTool } from "./tools/list-providers"
import { registerResourceBridgeTools } from "./tools/resource-bridge"
import { registerShowImageTool } from "./tools/show-image"
import { registerTransformImageTool } from "./tools/transform-image"

export interface McpServerOptions {
  transport: Transport
}

/** One MCP server over the shared services. HTTP creates one per session; stdio creates one. */
export function createMcpServer(services: Services, options: McpServerOptions): McpServer {
  const { config } = services
  const server = new McpServer(
    { name: config.serverName, version: VERSION, icons: [lucideIcon("palette")] },
    { instructions: serverInstructions(config), capabilities: { logging: {} } },
  )
  const ctx: McpContext = { server, services, transport: options.transport, icons: new Map(), appOnly: new Set() }

  const images = imageResources(services)
  const catalog = createCatalog([...providerResources(services), ...images.statics], images.templates)
  registerCatalog(ctx, catalog)

  registerGenerateImageTool(ctx)
  registerTransformImageTool(ctx)
  registerCancelGenerationTool(ctx)
  registerCheckGenerationStatusTool(ctx)
  registerShowImageTool(ctx)
  registerDeleteImageTool(ctx)
  registerIntakeTools(ctx)
  registerListProvidersTool(ctx)
  registerGetServerInfoTool(ctx)
  registerResourceBridgeTools(ctx, catalog)

  decorateToolList(ctx)
  return server
}
