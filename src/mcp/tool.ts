import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js"
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  ToolAnnotations,
} from "@modelcontextprotocol/sdk/types.js"
import { z } from "zod"
import { authorizeToolCall } from "@/core/access"
import { identityFromAuthInfo } from "./auth-info"
import type { McpContext } from "./context"
import { toolErrorResult } from "./errors"

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>

export interface ToolSpec<Shape extends z.ZodRawShape> {
  name: string
  title?: string
  description: string
  inputSchema: Shape
  annotations: ToolAnnotations
  /** Tagged `write`: absent (not listed, not callable) in read-only mode. */
  write?: boolean
  icon?: string
  appOnly?: boolean
  meta?: Record<string, unknown>
  handler: (args: z.infer<z.ZodObject<Shape>>, extra: ToolExtra) => Promise<CallToolResult>
}

/**
 * Registers a tool unless read-only mode hides it. The caller's ACL is checked before the handler runs; every
 * failure, a denial included, becomes an `isError` result (`toolErrorResult`).
 */
export function defineTool<Shape extends z.ZodRawShape>(ctx: McpContext, spec: ToolSpec<Shape>): void {
  if (spec.write && ctx.services.config.readOnly) return
  const meta = { ...spec.meta, ...(spec.write && { _fastmcp: { tags: ["write"] } }) }
  const handler = spec.handler as (args: unknown, extra: ToolExtra) => Promise<CallToolResult>
  ctx.server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      // Strict: a misspelt argument is an error, not silently ignored.
      inputSchema: z.strictObject(spec.inputSchema) as unknown as z.ZodRawShape,
      annotations: spec.annotations,
      ...(Object.keys(meta).length && { _meta: meta }),
    },
    async (args: Record<string, unknown>, extra: ToolExtra) => {
      try {
        authorizeToolCall(ctx.acl, identityFromAuthInfo(extra.authInfo), spec.name, spec.write === true)
        return await handler(args, extra)
      } catch (error) {
        return toolErrorResult(error)
      }
    },
  )
  if (spec.icon) ctx.icons.set(spec.name, spec.icon)
  if (spec.appOnly) ctx.appOnly.add(spec.name)
}
