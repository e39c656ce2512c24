import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { CallToolResult, ClientCapabilities } from "@modelcontextprotocol/sdk/types.js"
import type { ServiceDeps } from "@/core/services"
import type { Transport } from "@/mcp/context"
import { createMcpServer } from "@/mcp/server"
import type { TempDir } from "../fixture/tmpdir"
import { startServices, type TestEnv } from "./services"

export interface McpTestEnv extends TestEnv, AsyncDisposable {
  client: Client
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>
  /** The text of a tool result's first text content. */
  text(result: CallToolResult): string
  /** The text of a resource's first content. */
  readText(uri: string): Promise<string>
}

/**
 * A real SDK client talking to a real server over an in-memory transport pair. The server is built as for
 * `transport` (default stdio); "http" with BASE_URL set also registers the transfer-link tools.
 */
export async function connect(
  opts: {
    env?: Record<string, string>
    deps?: ServiceDeps
    dir?: TempDir
    capabilities?: ClientCapabilities
    transport?: Transport
  } = {},
): Promise<McpTestEnv> {
  const env = await startServices(opts)
  const server = createMcpServer(env.services, { transport: opts.transport ?? "stdio" })
  const client = new Client({ name: "test-client", version: "1.0.0" }, { capabilities: opts.capabilities ?? {} })
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
