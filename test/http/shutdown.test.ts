import { describe, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js"
import { createHttpApp } from "@/http/app"
import { startHttpServer } from "@/http/serve"
import { tmpdir } from "../fixture/tmpdir"
import { startServices } from "../helpers/services"
import { waitFor } from "../helpers/wait"
import { INITIALIZE, post } from "./helpers"

const ROOT = join(import.meta.dir, "..", "..")
const CLI = join(ROOT, "src", "cli", "index.ts")
const CALL = { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "slow", arguments: {} } }

/** A tool that starts, signals it, and finishes when `release()` is called. */
function slowTool() {
  const started = Promise.withResolvers<void>()
  const done = Promise.withResolvers<void>()
  return {
    started: started.promise,
    release: () => done.resolve(),
    handler: async () => {
      started.resolve()
      await done.promise
      return { content: [{ type: "text" as const, text: "finished" }] }
    },
  }
}

async function session(request: (init: RequestInit) => Promise<Response>) {
  const init = await request(post(INITIALIZE))
  const id = init.headers.get("mcp-session-id") ?? ""
  await init.text()
  return { id, headers: { "mcp-session-id": id, "mcp-protocol-version": LATEST_PROTOCOL_VERSION } }
}

describe("graceful stop", () => {
  test("an in-flight tool call finishes; new connections are refused meanwhile", async () => {
    await using env = await startServices()
    const server = startHttpServer(env.services, { host: "127.0.0.1", port: 0 })
    const { id, headers } = await session((init) => fetch(server.url, init))
    const tool = slowTool()
    server.sessions.get(id)?.server.registerTool("slow", {}, tool.handler)
    const call = fetch(server.url, post(CALL, headers)).then((r) => r.text())
    await tool.started

    const began = performance.now()
    const stopped = server.stop()
    const refused = () =>
      fetch(server.url, post(INITIALIZE)).then(
        () => false,
        () => true,
      )
    await waitFor(refused, "the listener to close while the call runs")
    tool.release()
    expect(await call).toContain('"text":"finished"')
    await stopped
    expect(performance.now() - began).toBeLessThan(1500)
    expect(server.sessions.size).toBe(0)
  })

  test("a call still running after the grace period is cut off", async () => {
    await using env = await startServices()
    const server = startHttpServer(env.services, { host: "127.0.0.1", port: 0, graceMs: 200 })
    const { id, headers } = await session((init) => fetch(server.url, init))
    const tool = slowTool()
    server.sessions.get(id)?.server.registerTool("slow", {}, tool.handler)
    const call = fetch(server.url, post(CALL, headers)).then(
      (r) => r.text(),
      () => "",
    )
    await tool.started
    const began = performance.now()
    await server.stop()
    const elapsed = performance.now() - began
    expect(elapsed).toBeGreaterThanOrEqual(190)
    expect(elapsed).toBeLessThan(1500)
    expect(await call).not.toContain("finished")
    tool.release()
  })

  test("while draining, requests on open connections get 503 with Connection: close", async () => {
    await using env = await startServices()
    const http = createHttpApp(env.services)
    const request = async (init: RequestInit) => http.app.request("/mcp", init)
    const { id, headers } = await session(request)
    const tool = slowTool()
    http.sessions.get(id)?.server.registerTool("slow", {}, tool.handler)
    const call = await request(post(CALL, headers))
    await tool.started

    const stopping = http.shutdown(2000)
    const refused = await http.app.request("/healthz")
    expect(refused.status).toBe(503)
    expect(refused.headers.get("connection")).toBe("close")
    expect((await request(post(INITIALIZE))).status).toBe(503)
    tool.release()
    expect(await call.text()).toContain('"text":"finished"')
    expect(await stopping).toBe(true)
  })
})

describe("serve command", () => {
  test("--transport sse is refused with a pointer to http", async () => {
    const proc = Bun.spawn([process.execPath, CLI, "serve", "--transport", "sse"], { stderr: "pipe", stdout: "pipe" })
    expect(await proc.exited).toBe(2)
    const err = await new Response(proc.stderr).text()
    expect(err).toContain("legacy HTTP+SSE transport is not supported; use --transport http")
  })

  test("SIGTERM: in-flight requests finish, the database is closed, exit 0", async () => {
    await using dir = await tmpdir()
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
    const port = probe.port ?? 0
    await probe.stop(true)
    const proc = Bun.spawn([process.execPath, CLI, "serve", "--transport", "http", "--port", String(port)], {
      env: { PATH: process.env.PATH ?? "", HOME: dir.path, IMAGE_GENERATION_MCP_READ_ONLY: "false" },
      stderr: "pipe",
      stdout: "ignore",
    })
    const url = `http://127.0.0.1:${port}/mcp`
    try {
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        "the server to start",
      )
      const { headers } = await session((init) => fetch(url, init))
      const list = { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }
      expect((await fetch(url, post(list, headers))).status).toBe(200)
      proc.kill("SIGTERM")
      expect(await proc.exited).toBe(0)
      const err = await new Response(proc.stderr).text()
      expect(err).toContain("Shutting down (SIGTERM)")
      // The last connection to a WAL database removes the -wal file when it closes cleanly.
      const db = join(dir.path, ".image-generation-mcp", "state.sqlite")
      expect(existsSync(db)).toBe(true)
      expect(existsSync(`${db}-wal`)).toBe(false)
    } finally {
      proc.kill("SIGKILL")
    }
  })
})
