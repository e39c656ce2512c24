import { afterEach, describe, expect, test } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"
import { type CallToolResult, ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js"
import { AppError, ERROR_KINDS, type ErrorKind } from "@/core/errors"
import type { McpContext } from "@/mcp/context"
import { RESOURCE_ERROR_CODES, toolErrorResult } from "@/mcp/errors"
import { createCatalog, registerCatalog } from "@/mcp/resources/registry"
import { defineTool } from "@/mcp/tool"
import { configureLogger } from "@/util/log"
import { startServices } from "../helpers/services"

/** What each kind must become on a resource read; invalid input and not found are pinned by the resource tests. */
const EXPECTED: Record<ErrorKind, ErrorCode> = {
  invalid_input: ErrorCode.InvalidParams,
  not_found: ErrorCode.InvalidParams,
  content_policy: ErrorCode.InvalidParams,
  conflict: ErrorCode.InvalidRequest,
  limit_reached: ErrorCode.InvalidRequest,
  unauthorized: ErrorCode.InvalidRequest,
  forbidden: ErrorCode.InvalidRequest,
  unavailable: ErrorCode.InternalError,
  upstream_refused: ErrorCode.InternalError,
  internal: ErrorCode.InternalError,
}

const LEAKY = "failed at /home/me/.keys with sk-live-123"

afterEach(() => configureLogger({ level: "error", json: true, sink: (line) => process.stderr.write(`${line}\n`) }))

/** A real server whose tool `fail` and resource `test://fail` throw whatever `next` holds, and a connected client. */
async function failingServer() {
  const env = await startServices()
  const server = new McpServer({ name: "errors", version: "0" })
  const ctx: McpContext = {
    server,
    services: env.services,
    transport: "stdio",
    icons: new Map(),
    appOnly: new Set(),
    promptIcons: new Map(),
  }
  const state: { next: unknown } = { next: undefined }
  defineTool(ctx, {
    name: "fail",
    description: "Throws the error under test.",
    annotations: {},
    inputSchema: {},
    handler: async () => Promise.reject(state.next),
  })
  const fail = { name: "fail", description: "Throws.", mimeType: "text/plain" }
  registerCatalog(
    ctx,
    createCatalog([{ ...fail, uri: "test://fail", read: async () => Promise.reject(state.next) }], []),
  )
  const client = new Client({ name: "errors-client", version: "0" })
  const [a, b] = InMemoryTransport.createLinkedPair()
  await Promise.all([server.connect(a), client.connect(b)])
  return {
    state,
    call: () => client.callTool({ name: "fail", arguments: {} }) as Promise<CallToolResult>,
    read: () =>
      client.readResource({ uri: "test://fail" }).then(
        () => undefined,
        (error: unknown) => error,
      ),
    async [Symbol.asyncDispose]() {
      await client.close()
      await server.close()
      await env[Symbol.asyncDispose]()
    },
  }
}

describe("the MCP error table", () => {
  test("maps every kind, and nothing else, to a JSON-RPC error code", () => {
    expect(Object.keys(RESOURCE_ERROR_CODES).sort()).toEqual([...ERROR_KINDS].sort())
    expect(RESOURCE_ERROR_CODES).toEqual(EXPECTED)
  })

  test("every kind reaches the client: a tool as an isError result with the message, a resource with its code", async () => {
    await using s = await failingServer()
    for (const kind of ERROR_KINDS) {
      s.state.next = new AppError(kind, `test_${kind}`, `${kind} happened`)
      expect(await s.call()).toEqual({ content: [{ type: "text", text: `[server] ${kind} happened` }], isError: true })
      const error = await s.read()
      expect(error).toBeInstanceOf(McpError)
      expect(error).toMatchObject({ code: EXPECTED[kind] })
      expect((error as Error).message).toContain(`[server] ${kind} happened`)
    }
  })

  test("an untagged error keeps its bare message; a URL's query and a bearer token are redacted", async () => {
    await using s = await failingServer()
    s.state.next = new AppError("invalid_input", "test", "bad token Bearer abc.def from https://x.test/p?key=SECRET", {
      tag: null,
    })
    const text = (await s.call()).content[0]
    expect(text).toEqual({ type: "text", text: "bad token Bearer *** from https://x.test/p" })
  })

  test("anything else is logged with a reference and answered as internal, with nothing from its message", async () => {
    const lines: string[] = []
    configureLogger({ level: "error", json: true, sink: (line) => lines.push(line) })
    await using s = await failingServer()
    s.state.next = new Error(LEAKY)
    const result = await s.call()
    expect(result.isError).toBe(true)
    const text = (result.content[0] as { text: string }).text
    const ref = text.match(/^\[server\] Internal error \(ref ([0-9a-f]{8})\); the server log has the details\.$/)?.[1]
    expect(ref).toBeDefined()
    const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.ref === ref)
    expect(logged).toMatchObject({ level: "error", logger: "mcp", error: { message: LEAKY } })

    s.state.next = new TypeError(LEAKY)
    const error = await s.read()
    expect(error).toMatchObject({ code: ErrorCode.InternalError })
    expect((error as Error).message).not.toContain("sk-live")
    expect((error as Error).message).toContain("Internal error (ref ")
  })

  test("the SDK's own McpError keeps its text", () => {
    const result = toolErrorResult(new McpError(ErrorCode.RequestTimeout, "Request timed out"))
    expect(result).toEqual({
      content: [{ type: "text", text: "MCP error -32001: Request timed out" }],
      isError: true,
    })
  })
})
