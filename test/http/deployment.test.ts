import { expect, test } from "bun:test"
import { join } from "node:path"
import { tmpdir } from "../fixture/tmpdir"
import { CLI } from "../helpers/cli"
import { waitFor } from "../helpers/wait"

async function freePort(): Promise<number> {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
  const port = probe.port as number
  await probe.stop(true)
  return port
}

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
}

test("serve --transport http: MCP needs the bearer token; health, metadata and transfer routes do not", async () => {
  await using home = await tmpdir()
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const proc = Bun.spawn([process.execPath, CLI, "serve", "--transport", "http", "--port", String(port)], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home.path,
      IMAGE_GENERATION_MCP_DB_PATH: join(home.path, "state.sqlite"),
      IMAGE_GENERATION_MCP_BEARER_TOKEN: "s3cret-token-value",
      IMAGE_GENERATION_MCP_BASE_URL: base,
    },
    stdout: "pipe",
    stderr: "pipe",
  })
  try {
    await waitFor(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      "the server to answer /healthz",
    )
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" }
    const denied = await fetch(`${base}/mcp`, { method: "POST", headers, body: JSON.stringify(INIT) })
    expect(denied.status).toBe(401)
    expect(denied.headers.get("www-authenticate")).toContain(
      `resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`,
    )
    const wrong = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: { ...headers, authorization: "Bearer nope" },
      body: JSON.stringify(INIT),
    })
    expect(wrong.status).toBe(401)
    const ok = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: { ...headers, authorization: "Bearer s3cret-token-value" },
      body: JSON.stringify(INIT),
    })
    expect(ok.status).toBe(200)
    expect(ok.headers.get("mcp-session-id")).toBeTruthy()
    await ok.body?.cancel()
    const metadata = await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)
    expect(metadata.status).toBe(200)
    expect(((await metadata.json()) as { resource: string }).resource).toBe(`${base}/mcp`)
    const transfer = await fetch(`${base}/transfer/${"x".repeat(43)}`)
    expect(transfer.status).toBe(404)
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
  } finally {
    proc.kill("SIGTERM")
    expect(await proc.exited).toBe(0)
  }
  const stderr = await new Response(proc.stderr).text()
  expect(stderr).not.toContain("s3cret-token-value")
})
