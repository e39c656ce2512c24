import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import type { Acl } from "@/core/access"
import type { Services } from "@/core/services"
import { VERSION } from "@/version"
import { lucideIcon, type McpContext, type Transport } from "./context"
import { serverInstructions } from "./instructions"
import { registerApplyStylePrompt } from "./prompts/apply-style"
import { registerSdPromptGuidePrompt } from "./prompts/sd-prompt-guide"
import { registerSelectProviderPrompt } from "./prompts/select-provider"
import { imageResources } from "./resources/images"
import { livePreviewResource } from "./resources/live-preview"
import { promptGuideResources } from "./resources/prompt-guide"
import { providerResources } from "./resources/providers"
import { createCatalog, registerCatalog } from "./resources/registry"
import { styleResources } from "./resources/styles"
import { usageResources } from "./resources/usage"
import { widgetResources } from "./resources/widgets"
import { lazySchemaValidator } from "./schema-validator"
import { applySdkPatches } from "./sdk-patches"
import { registerBrowseGalleryTool } from "./tools/browse-gallery"
import { registerCancelGenerationTool } from "./tools/cancel-generation"
import { registerCheckGenerationStatusTool } from "./tools/check-generation-status"
import { registerDeleteImageTool } from "./tools/delete-image"
import { registerEditImageTool } from "./tools/edit-image"
import { registerGalleryFullImageTool } from "./tools/gallery-full-image"
import { registerGalleryPageTool } from "./tools/gallery-page"
import { registerGenerateImageTool } from "./tools/generate-image"
import { registerGetServerInfoTool } from "./tools/get-server-info"
import { registerGetUsageTool } from "./tools/get-usage"
import { registerIntakeTools } from "./tools/intake"
import { registerListProvidersTool } from "./tools/list-providers"
import { registerResourceBridgeTools } from "./tools/resource-bridge"
import { registerSaveEditedImageTool } from "./tools/save-edited-image"
import { registerSearchImagesTool } from "./tools/search-images"
import { registerShowImageTool } from "./tools/show-image"
import { registerStyleTools } from "./tools/styles"
import { registerTransferLinkTools } from "./tools/transfer-links"
import { registerTransformImageTool } from "./tools/transform-image"

export interface McpServerOptions {
  transport: Transport
  /** Write-scope rules for authenticated HTTP callers. */
  acl?: Acl
}

/** One MCP server over the shared services. HTTP creates one per session; stdio creates one. */
export function createMcpServer(services: Services, options: McpServerOptions): McpServer {
  const { config } = services
  const server = new McpServer(
    { name: config.serverName, version: VERSION, icons: [lucideIcon("palette")] },
    {
      instructions: serverInstructions(config),
      capabilities: { logging: {} },
      jsonSchemaValidator: lazySchemaValidator,
    },
  )
  const ctx: McpContext = {
    server,
    services,
    transport: options.transport,
    icons: new Map(),
    appOnly: new Set(),
    promptIcons: new Map(),
    acl: options.acl,
  }

  const images = imageResources(services)
  const styles = styleResources(services)
  const catalog = createCatalog(
    [
      ...providerResources(services),
      ...promptGuideResources(),
      ...images.statics,
      ...styles.statics,
      ...usageResources(ctx),
      ...widgetResources(config),
    ],
    [...images.templates, livePreviewResource(services), ...styles.templates],
  )
  registerCatalog(ctx, catalog)

  registerGenerateImageTool(ctx)
  registerTransformImageTool(ctx)
  registerCancelGenerationTool(ctx)
  registerCheckGenerationStatusTool(ctx)
  registerShowImageTool(ctx)
  registerDeleteImageTool(ctx)
  registerIntakeTools(ctx)
  registerTransferLinkTools(ctx, services.transfers)
  registerListProvidersTool(ctx)
  registerBrowseGalleryTool(ctx)
  registerGalleryPageTool(ctx)
  registerGalleryFullImageTool(ctx)
  registerEditImageTool(ctx)
  registerSaveEditedImageTool(ctx)
  registerSearchImagesTool(ctx)
  registerStyleTools(ctx, services.styles)
  registerGetServerInfoTool(ctx)
  registerGetUsageTool(ctx)
  registerResourceBridgeTools(ctx, catalog)
  registerSelectProviderPrompt(ctx)
  registerSdPromptGuidePrompt(ctx)
  registerApplyStylePrompt(ctx, services.styles)

  applySdkPatches(ctx)
  return server
}
