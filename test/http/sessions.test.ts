import { describe, expect, test } from "bun:test"
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js"
import { createHttpApp } from "@/http/app"
import { startServices } from "../helpers/services"
import { closing, INITIALIZE, LIST_TOOLS, manualClock, post } from "./helpers"

const P = "IMAGE_GENERATION_MCP_"

describe("session cap", () => {
  test("MAX_SESSIONS from config; past it an initialize gets 503, a JSON-RPC error and Retry-After", async () => {
    await using env = await startServices({ env: { [`${P}MAX_SESSIONS`]: "2" } })
    expect(env.config.maxSessions).toBe(2)
    const clock = manualClock()
    await using http = closing(
      createHttpApp(env.services, { idleTimeoutMs: 60_000, sweepIntervalMs: 5_000, now: clock.now }),
    )
    const ids: string[] = []
    for (let i = 0; i < 2; i++) {
      const res = await http.app.request("/mcp", post(INITIALIZE))
      expect(res.status).toBe(200)
      ids.push(res.headers.get("mcp-session-id") ?? "")
      await res.text()
    }
    clock.advance(20_000)
    const refused = await http.app.request("/mcp", post(INITIALIZE))
    expect(refused.status).toBe(503)
    // Both sessions idle for 20 s of 60: the first could be swept in 40 s, plus one sweep interval.
    expect(refused.headers.get("retry-after")).toBe("45")
    expect(await refused.json()).toEqual({
      jsonrpc: "2.0",
      error: { code: -32000, message: "Service Unavailable: the server already has 2 open sessions" },
      id: null,
    })
    expect(http.sessions.size).toBe(2)

    // Existing sessions keep working; a DELETE frees a slot.
    const headers = { "mcp-session-id": ids[0] ?? "", "mcp-protocol-version": LATEST_PROTOCOL_VERSION }
    expect((await http.app.request("/mcp", post(LIST_TOOLS, headers))).status).toBe(200)
    const deleted = await http.app.request("/mcp", { method: "DELETE", headers })
    expect(deleted.status).toBe(200)
    expect(http.sessions.ids()).toEqual([ids[1] ?? ""])
    expect((await http.app.request("/mcp", post(LIST_TOOLS, headers))).status).toBe(404)
    expect((await http.app.request("/mcp", post(INITIALIZE))).status).toBe(200)
  })

  test("concurrent initializes cannot overshoot the cap; refused ones leave nothing behind", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services, { maxSessions: 3 }))
    const results = await Promise.all(Array.from({ length: 10 }, () => http.app.request("/mcp", post(INITIALIZE))))
    const statuses = results.map((r) => r.status).sort()
    expect(statuses).toEqual([200, 200, 200, 503, 503, 503, 503, 503, 503, 503])
    expect(http.sessions.size).toBe(3)
  })

  test("an initialize the transport refuses does not hold a slot", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services, { maxSessions: 1 }))
    for (let i = 0; i < 3; i++) {
      const res = await http.app.request("/mcp", post(INITIALIZE, { accept: "application/json" }))
      expect(res.status).toBe(406)
    }
    expect((await http.app.request("/mcp", post(INITIALIZE))).status).toBe(200)
  })

  test("idle sessions are swept, which frees their slots", async () => {
    await using env = await startServices()
    const clock = manualClock()
    await using http = closing(createHttpApp(env.services, { maxSessions: 1, idleTimeoutMs: 1000, now: clock.now }))
    await (await http.app.request("/mcp", post(INITIALIZE))).text()
    expect((await http.app.request("/mcp", post(INITIALIZE))).status).toBe(503)
    clock.advance(1000)
    expect(await http.sessions.sweep()).toBe(1)
    expect((await http.app.request("/mcp", post(INITIALIZE))).status).toBe(200)
  })
})

describe("DELETE", () => {
  test("ends the session: its id is gone, a second DELETE is 404, and DELETE without an id is 400", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    const init = await http.app.request("/mcp", post(INITIALIZE))
    const id = init.headers.get("mcp-session-id") ?? ""
    await init.text()
    const headers = { "mcp-session-id": id, "mcp-protocol-version": LATEST_PROTOCOL_VERSION }
    const res = await http.app.request("/mcp", { method: "DELETE", headers })
    expect(res.status).toBe(200)
    expect(http.sessions.size).toBe(0)
    expect((await http.app.request("/mcp", { method: "DELETE", headers })).status).toBe(404)
    expect((await http.app.request("/mcp", { method: "DELETE" })).status).toBe(400)
  })
})
