import { describe, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { tmpdir } from "../fixture/tmpdir"
import { CLI } from "../helpers/cli"
import { waitForValue } from "../helpers/wait"

const text = (r: CallToolResult) => (r.content[0] as { text: string }).text

describe("over real stdio", () => {
  test("serves a full generate → status → show round trip; state lands in the default directory", async () => {
    await using home = await tmpdir()
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "serve"],
      env: { PATH: process.env.PATH ?? "", HOME: home.path, IMAGE_GENERATION_MCP_READ_ONLY: "false" },
      stderr: "pipe",
    })
    const client = new Client({ name: "stdio-test", version: "1.0.0" })
    await client.connect(transport)
    const names = (await client.listTools()).tools.map((t) => t.name)
    expect(names).toContain("generate_image")
    const started = JSON.parse(
      text(
        (await client.callTool({ name: "generate_image", arguments: { prompt: "a quick test" } })) as CallToolResult,
      ),
    )
    expect(started.provider).toBe("placeholder")
    const status = await waitForValue(async () => {
      const result = await client.callTool({
        name: "check_generation_status",
        arguments: { image_id: started.image_id },
      })
      const { status } = JSON.parse(text(result as CallToolResult))
      return status === "generating" ? undefined : status
    }, "the generation to finish")
    expect(status).toBe("completed")
    const shown = (await client.callTool({
      name: "show_image",
      arguments: { uri: started.original_uri },
    })) as CallToolResult
    expect(shown.content[0]?.type).toBe("image")
    const stateDir = join(home.path, ".image-generation-mcp")
    expect(existsSync(join(stateDir, "state.sqlite"))).toBe(true)
    expect(existsSync(join(stateDir, "images", `${started.image_id}.json`))).toBe(true)
    await client.close()
  })

  test("exits cleanly on stdin EOF after answering what it was sent, and on SIGTERM", async () => {
    await using home = await tmpdir()
    const env = { PATH: process.env.PATH ?? "", HOME: home.path }
    const lines = [
      {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "resources/read", params: { uri: "image://list" } },
    ]
    const proc = Bun.spawn([process.execPath, CLI, "serve"], {
      env,
      stdin: new TextEncoder().encode(`${lines.map((l) => JSON.stringify(l)).join("\n")}\n`),
      stdout: "pipe",
      stderr: "pipe",
    })
    const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited])
    expect(code).toBe(0)
    const replies = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    expect(replies.map((r) => r.id)).toEqual([1, 2])
    expect(JSON.parse(replies[1].result.contents[0].text)).toEqual([])

    // SIGTERM once the server is up (it answered initialize), however long its start took.
    const long = Bun.spawn([process.execPath, CLI, "serve"], { env, stdin: "pipe", stdout: "pipe", stderr: "pipe" })
    long.stdin.write(`${JSON.stringify(lines[0])}\n`)
    long.stdin.flush()
    let answer = ""
    for await (const chunk of long.stdout.pipeThrough(new TextDecoderStream())) {
      answer += chunk
      if (answer.includes("\n")) break
    }
    expect(JSON.parse(answer).id).toBe(1)
    long.kill("SIGTERM")
    expect(await long.exited).toBe(0)
  }, 30_000)
})
