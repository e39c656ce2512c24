import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import {
  ListPromptsRequestSchema,
  type ListPromptsResult,
  ListToolsRequestSchema,
  type ListToolsResult,
} from "@modelcontextprotocol/sdk/types.js"
import { SDK_VERSION } from "@/version"
import { lucideIcon, type McpContext } from "./context"
import { lazySchemaValidator } from "./schema-validator"

/*
 * `McpServer` builds `tools/list` and `prompts/list` itself and has no place for icons or for tools that only app
 * widgets may see. The handlers it installs live in the private `Server._requestHandlers` map, which the protocol
 * layer dispatches from; they are wrapped here, and only here. What this relies on is checked twice: on every
 * server (`applySdkPatches`: the map and the handlers exist) and once at start-up (`checkSdkPatches`: a probe
 * server's patched lists really carry the icons and leave out app-only tools).
 */

type Handler = (request: unknown, extra: unknown) => Promise<unknown>

/** The SDK no longer has the shape the patches rely on. */
export class SdkShapeError extends Error {
  override name = "SdkShapeError"
  constructor(problem: string) {
    super(
      `@modelcontextprotocol/sdk ${SDK_VERSION} does not have the shape src/mcp/sdk-patches.ts relies on: ${problem}. ` +
        "Install the SDK version this server was built with, or update the patches.",
    )
  }
}

/** What the patches read: the server and what the registrations recorded for the list answers. */
export type PatchedLists = Pick<McpContext, "server" | "icons" | "appOnly" | "promptIcons">

/** Adds tool and prompt icons to the list answers and drops app-only tools (they stay callable). Call last. */
export function applySdkPatches(ctx: PatchedLists): void {
  const handlers = requestHandlers(ctx.server)
  const protocol = ctx.server.server
  const tools = original(handlers, "tools/list", ctx.icons.size + ctx.appOnly.size > 0)
  if (tools) {
    protocol.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
      const result = (await tools(request, extra)) as ListToolsResult
      const listed = listOf(result, "tools", "tools/list")
        .filter((tool) => !ctx.appOnly.has(tool.name))
        .map((tool) => withIcon(tool, ctx.icons.get(tool.name)))
      return { ...result, tools: listed as ListToolsResult["tools"] }
    })
  }
  const prompts = original(handlers, "prompts/list", ctx.promptIcons.size > 0)
  if (prompts) {
    protocol.setRequestHandler(ListPromptsRequestSchema, async (request, extra) => {
      const result = (await prompts(request, extra)) as ListPromptsResult
      const listed = listOf(result, "prompts", "prompts/list").map((p) => withIcon(p, ctx.promptIcons.get(p.name)))
      return { ...result, prompts: listed as ListPromptsResult["prompts"] }
    })
  }
}

/**
 * The start-up check: a probe server with a tool, an app-only tool and a prompt, patched, must list the icons and
 * leave the app-only tool out. Throws `SdkShapeError` otherwise. `server` is for tests.
 */
export async function checkSdkPatches(server = probeServer()): Promise<void> {
  server.registerTool("probe", { description: "probe" }, () => ({ content: [] }))
  server.registerTool("probe_app_only", { description: "probe" }, () => ({ content: [] }))
  server.registerPrompt("probe_prompt", { description: "probe" }, () => ({ messages: [] }))
  applySdkPatches({
    server,
    icons: new Map([["probe", "box"]]),
    appOnly: new Set(["probe_app_only"]),
    promptIcons: new Map([["probe_prompt", "box"]]),
  })
  const handlers = requestHandlers(server)
  const tools = listOf(await handlers.get("tools/list")?.({ method: "tools/list" }, {}), "tools", "tools/list")
  const prompts = listOf(
    await handlers.get("prompts/list")?.({ method: "prompts/list" }, {}),
    "prompts",
    "prompts/list",
  )
  if (tools.map((t) => t.name).join() !== "probe" || !tools[0]?.icons) {
    throw new SdkShapeError("the patched tools/list does not show the probe tool with its icon, alone")
  }
  if (prompts.length !== 1 || !prompts[0]?.icons) {
    throw new SdkShapeError("the patched prompts/list does not show the probe prompt with its icon")
  }
}

/** The shared lazy validator keeps the probe from building an Ajv instance of its own. */
function probeServer(): McpServer {
  return new McpServer({ name: "sdk-patch-probe", version: "0" }, { jsonSchemaValidator: lazySchemaValidator })
}

function requestHandlers(server: McpServer): Map<string, Handler> {
  const handlers = (server.server as unknown as { _requestHandlers?: unknown })._requestHandlers
  if (!(handlers instanceof Map)) throw new SdkShapeError("Server has no _requestHandlers map")
  return handlers
}

/** The SDK's handler for `method`; a missing one is an error when something was registered for that list. */
function original(handlers: Map<string, Handler>, method: string, required: boolean): Handler | undefined {
  const handler = handlers.get(method)
  if (typeof handler === "function") return handler
  if (required) throw new SdkShapeError(`no ${method} handler in _requestHandlers after registering`)
  return undefined
}

type Listed = { name: string; icons?: unknown }

function listOf(result: unknown, key: "tools" | "prompts", method: string): Listed[] {
  const list = (result as Record<string, unknown> | undefined)?.[key]
  if (!Array.isArray(list)) throw new SdkShapeError(`${method} answered without a '${key}' array`)
  return list as Listed[]
}

function withIcon<T extends Listed>(entry: T, icon: string | undefined): T {
  return icon ? { ...entry, icons: [lucideIcon(icon)] } : entry
}
