import { ListPromptsRequestSchema, type ListPromptsResult } from "@modelcontextprotocol/sdk/types.js"
import { lucideIcon, type McpContext } from "./context"

type ListHandler = (request: unknown, extra: unknown) => Promise<ListPromptsResult> | ListPromptsResult

/**
 * `registerPrompt` has no place for icons, so the `prompts/list` handler is wrapped to add one. The wrapped handler
 * still reads the live prompt registry, so prompts registered later are listed as usual.
 */
export function addPromptIcon(ctx: McpContext, name: string, icon: string): void {
  const protocol = ctx.server.server
  const handlers = (protocol as unknown as { _requestHandlers: Map<string, ListHandler> })._requestHandlers
  const original = handlers.get("prompts/list")
  if (!original) return
  protocol.setRequestHandler(ListPromptsRequestSchema, async (request, extra) => {
    const result = await original(request, extra)
    const prompts = result.prompts.map((p) => (p.name === name ? { ...p, icons: [lucideIcon(icon)] } : p))
    return { ...result, prompts }
  })
}
