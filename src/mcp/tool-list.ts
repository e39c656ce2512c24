import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { ListToolsRequestSchema, type ListToolsResult } from "@modelcontextprotocol/sdk/types.js"
import { lucideIcon, type McpContext } from "./context"

type Handler = (request: unknown, extra: unknown) => Promise<ListToolsResult> | ListToolsResult

/**
 * `McpServer` builds `tools/list` itself and has no place for tool icons or app-only visibility, so its handler is
 * wrapped: icons are added and app-only tools dropped (they stay callable).
 */
export function decorateToolList(ctx: McpContext): void {
  const server: McpServer = ctx.server
  const handlers = (server.server as unknown as { _requestHandlers: Map<string, Handler> })._requestHandlers
  const original = handlers.get("tools/list")
  if (!original) return
  server.server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
    const result = await original(request, extra)
    const tools = result.tools
      .filter((tool) => !ctx.appOnly.has(tool.name))
      .map((tool) => {
        const icon = ctx.icons.get(tool.name)
        return icon ? { ...tool, icons: [lucideIcon(icon)] } : tool
      })
    return { ...result, tools }
  })
}
