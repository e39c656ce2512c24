import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { ImageNotFoundError } from "@/core/errors"
import { createHttpApp } from "@/http/app"
import { VERSION } from "@/version"
import { startServices } from "../helpers/services"
import { openTestStorage } from "../helpers/storage"
import { closing, INITIALIZE, LIST_TOOLS, manualClock, post } from "./helpers"

describe("GET /healthz", () => {
  test("200 with the version while the store answers, whatever the Host", async () => {
    await using env = await startServices()
    const { app } = createHttpApp(env.services)
    for (const host of ["localhost", "evil.example"]) {
      const res = await app.request("/healthz", { headers: { host } })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: "ok", version: VERSION })
    }
  })

  test("503 when the store is closed", async () => {
    await using env = await startServices()
    const other = await openTestStorage(env.dir.path, { IMAGE_GENERATION_MCP_DB_PATH: join(env.dir.path, "o.sqlite") })
    await other.close()
    const { app } = createHttpApp({ ...env.services, store: other.store })
    const res = await app.request("/healthz")
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ status: "unavailable", version: VERSION })
  })

  test("503 when ping fails, without the error's text", async () => {
    await using env = await startServices()
    const ping = () => Promise.reject(new Error("cannot open /secret/path?token=abc"))
    const { app } = createHttpApp({ ...env.services, store: { ...env.services.store, ping } })
    const res = await app.request("/healthz")
    expect(res.status).toBe(503)
    expect(await res.text()).not.toContain("secret")
  })
})

describe("MCP endpoint", () => {
  test("initialize opens a session that later requests use", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    const init = await http.app.request("/mcp", post(INITIALIZE))
    expect(init.status).toBe(200)
    expect(init.headers.get("content-type")).toStartWith("text/event-stream")
    const id = init.headers.get("mcp-session-id") ?? ""
    expect(await init.text()).toStartWith(": open\n\n")
    expect(http.sessions.ids()).toEqual([id])
    const list = await http.app.request("/mcp", post(LIST_TOOLS, { "mcp-session-id": id }))
    expect(await list.text()).toContain('"name":"generate_image"')
  })

  test("an unknown session id is a 404 JSON-RPC error", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    for (const method of ["POST", "GET", "DELETE"]) {
      const res = await http.app.request("/mcp", { ...post(LIST_TOOLS, { "mcp-session-id": "nope" }), method })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({
        jsonrpc: "2.0",
        error: { code: -32001, message: "Session not found" },
        id: null,
      })
    }
  })

  test("a non-initialize request without a session is a 400 JSON-RPC error", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    for (const init of [post(LIST_TOOLS), { method: "GET", headers: { accept: "text/event-stream" } }]) {
      const res = await http.app.request("/mcp", init)
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 }, id: null })
    }
    expect(http.sessions.size).toBe(0)
  })

  test("bad JSON is a parse error; an oversized body is 413", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services, { maxBodyBytes: 1024 }))
    const bad = await http.app.request("/mcp", { ...post(null), body: "{nope" })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: -32700 } })
    const big = { ...INITIALIZE, params: { ...INITIALIZE.params, pad: "x".repeat(2048) } }
    expect((await http.app.request("/mcp", post(big))).status).toBe(413)
  })

  test("an initialize the transport refuses (no SSE in Accept) leaves no session behind", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    const res = await http.app.request("/mcp", post(INITIALIZE, { accept: "application/json" }))
    expect(res.status).toBe(406)
    expect(http.sessions.size).toBe(0)
  })

  test("bodies over the transport's 4 MiB default are accepted", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    const id = (await http.app.request("/mcp", post(INITIALIZE))).headers.get("mcp-session-id") ?? ""
    const big = { ...LIST_TOOLS, params: { _meta: { pad: "x".repeat(6 * 1024 * 1024) } } }
    const res = await http.app.request("/mcp", post(big, { "mcp-session-id": id }))
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('"tools"')
  })

  test("idle sessions are swept on the injected clock; open requests keep a session alive", async () => {
    await using env = await startServices()
    const clock = manualClock()
    await using http = closing(createHttpApp(env.services, { idleTimeoutMs: 1000, now: clock.now }))
    const init = await http.app.request("/mcp", post(INITIALIZE))
    const id = init.headers.get("mcp-session-id") ?? ""
    clock.advance(5000)
    expect(await http.sessions.sweep()).toBe(0)
    await init.text()
    clock.advance(999)
    expect(await http.sessions.sweep()).toBe(0)
    clock.advance(1)
    expect(await http.sessions.sweep()).toBe(1)
    expect((await http.app.request("/mcp", post(LIST_TOOLS, { "mcp-session-id": id }))).status).toBe(404)
  })

  test("after close() new sessions are refused with 503", async () => {
    await using env = await startServices()
    const http = createHttpApp(env.services)
    await http.close()
    const res = await http.app.request("/mcp", post(INITIALIZE))
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ error: "The server is shutting down" })
  })
})

describe("errors", () => {
  test("unknown paths are a JSON 404", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    const res = await http.app.request("/nowhere")
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: "Not found" })
  })

  test("unexpected errors are a bare 500; domain errors keep their status and message", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    http.app.get("/boom", () => {
      throw new Error("failed at /home/me/.keys with sk-live-123")
    })
    http.app.get("/missing", () => {
      throw new ImageNotFoundError("0123456789ab")
    })
    const boom = await http.app.request("/boom")
    expect(boom.status).toBe(500)
    expect(await boom.json()).toEqual({ error: "Internal server error" })
    const missing = await http.app.request("/missing")
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { error: string }).error).toContain("Image '0123456789ab' not found")
  })
})
