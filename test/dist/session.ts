// MCP sessions against a shipped artefact (binary, bundle, npm launcher, systemd service).
import { expect } from "bun:test"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { STATE_DEADLINE_MS, waitForValue } from "../helpers/wait"

export function resultText(result: unknown): string {
  const item = (result as CallToolResult).content.find((c) => c.type === "text")
  return item?.type === "text" ? item.text : ""
}

/** A client on a spawned stdio server; `env` is the whole environment (nothing inherited). */
export async function stdioClient(opts: {
  command: string
  args: string[]
  env: Record<string, string>
  cwd?: string
}): Promise<Client> {
  const transport = new StdioClientTransport({ ...opts, stderr: "pipe" })
  const client = new Client({ name: "dist-test", version: "1.0.0" })
  await client.connect(transport)
  return client
}

export async function httpClient(url: string): Promise<Client> {
  const client = new Client({ name: "dist-test", version: "1.0.0" })
  await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  return client
}

/** Generates with the placeholder, waits for completion, shows it and finds it in image://list; returns the id. */
export async function generateShowList(client: Client): Promise<string> {
  const started = JSON.parse(
    resultText(await client.callTool({ name: "generate_image", arguments: { prompt: "a lighthouse at dusk" } })),
  )
  expect(started.provider).toBe("placeholder")
  const status = await waitForValue(async () => {
    const polled = await client.callTool({ name: "check_generation_status", arguments: { image_id: started.image_id } })
    const { status } = JSON.parse(resultText(polled))
    return status === "generating" ? undefined : status
  }, "the generation to finish")
  expect(status).toBe("completed")
  const shown = (await client.callTool({
    name: "show_image",
    arguments: { uri: `image://${started.image_id}/view?format=webp&width=64` },
  })) as CallToolResult
  const image = shown.content.find((c) => c.type === "image")
  expect(image?.type === "image" && image.mimeType).toBe("image/webp")
  const listed = (await client.readResource({ uri: "image://list" })).contents[0]
  const items = JSON.parse(listed && "text" in listed ? listed.text : "[]") as { image_id: string }[]
  expect(items.map((i) => i.image_id)).toContain(started.image_id)
  return started.image_id
}

/** Polls `url` until it answers 200 or `timeoutMs` passes; returns the JSON body. */
export async function waitForHealthy(url: string, timeoutMs = STATE_DEADLINE_MS): Promise<Record<string, unknown>> {
  let last = ""
  return waitForValue(
    async () => {
      try {
        const response = await fetch(url)
        if (response.ok) return (await response.json()) as Record<string, unknown>
        last = `HTTP ${response.status}`
      } catch (error) {
        last = error instanceof Error ? error.message : String(error)
      }
      return undefined
    },
    `${url} to become healthy`,
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message} (${last})`)
  })
}
