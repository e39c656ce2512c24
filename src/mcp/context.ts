import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import type { Acl } from "@/core/access"
import type { Services } from "@/core/services"

export type Transport = "stdio" | "http"

/** What every tool and resource registration receives. */
export interface McpContext {
  server: McpServer
  services: Services
  transport: Transport
  /** Tool name → icon names (lucide), added to `tools/list` entries. */
  icons: Map<string, string>
  /** Tools callable by app widgets but left out of the model-facing `tools/list`. */
  appOnly: Set<string>
  /** Prompt name → icon name (lucide), added to `prompts/list` entries. */
  promptIcons: Map<string, string>
  /** When set (HTTP with an ACL file), write tools need the caller's `write` scope. */
  acl?: Acl
}

export function lucideIcon(name: string) {
  return { src: `https://unpkg.com/lucide-static/icons/${name}.svg`, mimeType: "image/svg+xml" }
}
