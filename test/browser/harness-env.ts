import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { ServiceDeps } from "@/core/services"
import type { Transport } from "@/mcp/context"
import { createMcpServer } from "@/mcp/server"
import type { McpTestEnv } from "../helpers/mcp"
import { startServices } from "../helpers/services"

/**
 * Like `connect()` in test/helpers/mcp.ts, but the server is built for `transport`: "http" (with BASE_URL set)
 * registers the transfer-link tools the widgets' download fallback calls.
 */
export async function connectTransport(opts: {
  env?: Record<string, string>
  deps?: ServiceDeps
  transport: Transport
}): Promise<McpTestEnv> {
  const env = await startServices({ env: opts.env, deps: opts.deps })
  const server = createMcpServer(env.services, { transport: opts.transport })
  const client = new Client({ name: "widget-test-host", version: "1.0.0" })
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(serverSide), client.connect(clientSide)])
  return {
    ...env,
    client,
    call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    text: (result) => {
      const item = result.content.find((c) => c.type === "text")
      return item?.type === "text" ? item.text : ""
    },
    readText: async (uri) => {
      const content = (await client.readResource({ uri })).contents[0]
      return content && "text" in content ? content.text : ""
    },
    async [Symbol.asyncDispose]() {
      await client.close()
      await server.close()
      await env[Symbol.asyncDispose]()
    },
  }
}
