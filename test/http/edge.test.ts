import { describe, expect, test } from "bun:test"
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js"
import { Hono } from "hono"
import { createHttpApp } from "@/http/app"
import { clientAddress, rateLimit } from "@/http/edge/rate-limit"
import { startHttpServer } from "@/http/serve"
import { startServices } from "../helpers/services"
import { STATE_DEADLINE_MS } from "../helpers/wait"
import { closing, INITIALIZE, LIST_TOOLS, manualClock, post } from "./helpers"

const P = "IMAGE_GENERATION_MCP_"

describe("request body limit", () => {
  test("defaults to 32 MiB from config; over it is a 413 JSON-RPC error that says what to do", async () => {
    await using env = await startServices()
    expect(env.config.maxRequestBytes).toBe(32 * 1024 * 1024)
    await using small = await startServices({ env: { [`${P}MAX_REQUEST_BYTES`]: "4096" } })
    await using http = closing(createHttpApp(small.services))
    const pad = "x".repeat(5000)
    const big = { ...INITIALIZE, params: { ...INITIALIZE.params, pad } }
    const refused = await http.app.request("/mcp", post(big))
    expect(refused.status).toBe(413)
    const body = (await refused.json()) as { error: { code: number; message: string } }
    expect(body.error.code).toBe(-32000)
    expect(body.error.message).toContain("must not exceed 4096 bytes")
    expect(body.error.message).toContain(`${P}MAX_REQUEST_BYTES`)

    // Inside a session the transport reads the body: same answer.
    const id = (await http.app.request("/mcp", post(INITIALIZE))).headers.get("mcp-session-id") ?? ""
    const inSession = await http.app.request("/mcp", post({ ...LIST_TOOLS, params: { pad } }, { "mcp-session-id": id }))
    expect(inSession.status).toBe(413)
    expect(((await inSession.json()) as { error: { message: string } }).error.message).toContain(
      `${P}MAX_REQUEST_BYTES`,
    )
    // A declared Content-Length over the limit is refused before anything is read.
    const declared = await http.app.request("/mcp", {
      ...post(LIST_TOOLS, { "mcp-session-id": id, "content-length": "999999" }),
    })
    expect(declared.status).toBe(413)
  })

  test("over real HTTP, a body just under the limit passes and one over it gets the 413", async () => {
    await using env = await startServices({ env: { [`${P}MAX_REQUEST_BYTES`]: String(2 * 1024 * 1024) } })
    const server = startHttpServer(env.services, { host: "127.0.0.1", port: 0 })
    try {
      const init = await fetch(server.url, post(INITIALIZE))
      const headers = { "mcp-session-id": init.headers.get("mcp-session-id") ?? "" }
      await init.text()
      const under = { ...LIST_TOOLS, params: { _meta: { pad: "x".repeat(2 * 1024 * 1024 - 200) } } }
      const ok = await fetch(server.url, post(under, headers))
      expect(ok.status).toBe(200)
      await ok.text()
      const over = { ...LIST_TOOLS, params: { _meta: { pad: "x".repeat(3 * 1024 * 1024) } } }
      const res = await fetch(server.url, post(over, headers))
      expect(res.status).toBe(413)
      expect(await res.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 }, id: null })
    } finally {
      await server.stop()
    }
  })
})

describe("CORS", () => {
  const preflight = (origin: string) => ({
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type, mcp-session-id",
    },
  })

  test("off by default: no CORS headers, even for an origin the host guard accepts", async () => {
    await using env = await startServices()
    expect(env.config.corsOrigins).toEqual([])
    await using http = closing(createHttpApp(env.services))
    const pre = await http.app.request("/mcp", preflight("http://localhost:5173"))
    expect(pre.headers.get("access-control-allow-origin")).toBeNull()
    const res = await http.app.request("/mcp", post(INITIALIZE, { origin: "http://localhost:5173" }))
    expect(res.status).toBe(200)
    expect(res.headers.get("access-control-allow-origin")).toBeNull()
  })

  test("on for the listed origins: preflight answered, session id exposed, others refused", async () => {
    await using env = await startServices({
      env: { [`${P}CORS_ORIGINS`]: "https://app.example, https://x.example:8443" },
    })
    expect(env.config.corsOrigins).toEqual(["https://app.example", "https://x.example:8443"])
    await using http = closing(createHttpApp(env.services))

    const pre = await http.app.request("/mcp", preflight("https://app.example"))
    expect(pre.status).toBe(204)
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example")
    const allowed = pre.headers.get("access-control-allow-headers") ?? ""
    for (const h of ["authorization", "content-type", "mcp-protocol-version", "mcp-session-id", "last-event-id"]) {
      expect(allowed).toContain(h)
    }
    expect(pre.headers.get("access-control-allow-methods")).toContain("DELETE")

    const res = await http.app.request("/mcp", post(INITIALIZE, { origin: "https://app.example" }))
    expect(res.status).toBe(200)
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example")
    expect(res.headers.get("access-control-expose-headers")).toContain("mcp-session-id")
    expect(res.headers.get("vary")).toContain("Origin")
    const id = res.headers.get("mcp-session-id") ?? ""
    const list = await http.app.request(
      "/mcp",
      post(LIST_TOOLS, {
        origin: "https://x.example:8443",
        "mcp-session-id": id,
        "mcp-protocol-version": LATEST_PROTOCOL_VERSION,
      }),
    )
    expect(list.status).toBe(200)
    expect(list.headers.get("access-control-allow-origin")).toBe("https://x.example:8443")

    // Same host, other port or scheme: not listed, and not a host the guard knows either.
    for (const origin of ["https://x.example", "http://app.example", "https://evil.example"]) {
      const refused = await http.app.request("/mcp", post(INITIALIZE, { origin }))
      expect(refused.status).toBe(403)
      expect(refused.headers.get("access-control-allow-origin")).toBeNull()
    }
  })

  test("a wildcard or a URL with a path is a configuration error", async () => {
    for (const value of ["*", "https://app.example/path", "app.example"]) {
      await expect(startServices({ env: { [`${P}CORS_ORIGINS`]: value } })).rejects.toThrow("CORS_ORIGINS")
    }
  })
})

describe("security headers", () => {
  const EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "cache-control": "no-store",
  }

  test("on health, unknown paths, refusals and routes mounted later; not on the MCP endpoint", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    http.app.get("/transfer/:token", (c) => c.body("bytes"))
    http.app.get("/.well-known/cached", (c) => c.json({}, 200, { "cache-control": "max-age=60" }))
    for (const [path, host] of [
      ["/healthz", "localhost"],
      ["/nowhere", "localhost"],
      ["/transfer/abc", "localhost"],
      ["/transfer/abc", "evil.example"],
    ] as const) {
      const res = await http.app.request(path, { headers: { host } })
      for (const [name, value] of Object.entries(EXPECTED)) expect(res.headers.get(name)).toBe(value)
    }
    const cached = await http.app.request("/.well-known/cached")
    expect(cached.headers.get("cache-control")).toBe("max-age=60")
    expect(cached.headers.get("x-content-type-options")).toBe("nosniff")

    const mcp = await http.app.request("/mcp", post(INITIALIZE))
    expect(mcp.headers.get("x-frame-options")).toBeNull()
    expect(mcp.headers.get("content-type")).toStartWith("text/event-stream")
  })
})

describe("rate limit middleware", () => {
  const fakeServer = (address: string) => ({ requestIP: () => ({ address }) })

  test("per client address, fixed window, 429 with Retry-After; other addresses unaffected", async () => {
    const clock = manualClock()
    const app = new Hono()
    app.use("/limited/*", rateLimit({ windowMs: 10_000, max: 2, now: clock.now }))
    app.get("/limited/x", (c) => c.text("ok"))
    app.get("/free", (c) => c.text("ok"))
    const get = (path: string, ip: string) => app.request(path, {}, fakeServer(ip))

    const first = await get("/limited/x", "10.0.0.1")
    expect(first.status).toBe(200)
    expect(first.headers.get("ratelimit-limit")).toBe("2")
    expect(first.headers.get("ratelimit-remaining")).toBe("1")
    expect((await get("/limited/x", "10.0.0.1")).status).toBe(200)
    const limited = await get("/limited/x", "10.0.0.1")
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBe("10")
    expect(((await limited.json()) as { error: string }).error).toContain("Too many requests")
    expect((await get("/limited/x", "10.0.0.2")).status).toBe(200)
    expect((await get("/free", "10.0.0.1")).status).toBe(200)
    clock.advance(4_000)
    expect((await get("/limited/x", "10.0.0.1")).headers.get("retry-after")).toBe("6")
    clock.advance(6_000)
    expect((await get("/limited/x", "10.0.0.1")).status).toBe(200)
  })

  test("memory stays bounded by maxKeys; a custom key works", async () => {
    const clock = manualClock()
    const app = new Hono()
    app.use("*", rateLimit({ windowMs: 60_000, max: 1, maxKeys: 3, now: clock.now }))
    app.get("/", (c) => c.text("ok"))
    for (const ip of ["a", "b", "c", "d"]) expect((await app.request("/", {}, fakeServer(ip))).status).toBe(200)
    // "a" was the oldest and was forgotten to make room, so it starts a fresh window.
    expect((await app.request("/", {}, fakeServer("a"))).status).toBe(200)
    expect((await app.request("/", {}, fakeServer("d"))).status).toBe(429)

    const byHeader = new Hono()
    byHeader.use("*", rateLimit({ windowMs: 1000, max: 1, key: (c) => c.req.header("x-client") ?? "" }))
    byHeader.get("/", (c) => c.text("ok"))
    expect((await byHeader.request("/", { headers: { "x-client": "1" } })).status).toBe(200)
    expect((await byHeader.request("/", { headers: { "x-client": "1" } })).status).toBe(429)
    expect((await byHeader.request("/", { headers: { "x-client": "2" } })).status).toBe(200)
    expect(() => rateLimit({ windowMs: 0, max: 1 })).toThrow(RangeError)
  })

  test("over real HTTP the key is the peer address", async () => {
    const app = new Hono()
    app.get("/ip", (c) => c.text(clientAddress(c)))
    app.get("/nowhere", (c) => c.text(clientAddress(c)))
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch })
    try {
      expect(await (await fetch(`http://127.0.0.1:${server.port}/ip`)).text()).toBe("127.0.0.1")
    } finally {
      await server.stop(true)
    }
    expect(await (await app.request("/ip")).text()).toBe("unknown")
  })
})

describe("host header attacks over a real socket", () => {
  /** Sends raw HTTP/1.1 bytes and returns the status code, so malformed or duplicated headers reach the server. */
  async function raw(port: number, request: string): Promise<number> {
    const chunks: string[] = []
    const { promise, resolve } = Promise.withResolvers<void>()
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_s, data) => {
          chunks.push(new TextDecoder().decode(data))
          if (chunks.join("").includes("\r\n\r\n")) resolve()
        },
        close: () => resolve(),
        error: () => resolve(),
      },
    })
    socket.write(request)
    await Promise.race([promise, Bun.sleep(STATE_DEADLINE_MS)]) // the answer, or give up on it (status 0)
    socket.end()
    return Number(/^HTTP\/1\.[01] (\d{3})/.exec(chunks.join(""))?.[1] ?? 0)
  }
  const body = JSON.stringify(INITIALIZE)
  const request = (target: string, hostLines: string[]) =>
    [
      `POST ${target} HTTP/1.1`,
      ...hostLines,
      "content-type: application/json",
      "accept: application/json, text/event-stream",
      `content-length: ${body.length}`,
      "connection: close",
      "",
      body,
    ].join("\r\n")

  test("rebinding names, absolute-form targets, and look-alike hosts are refused", async () => {
    await using env = await startServices()
    const server = startHttpServer(env.services, { host: "127.0.0.1", port: 0 })
    const port = Number(new URL(server.url).port)
    try {
      expect(await raw(port, request("/mcp", [`host: 127.0.0.1:${port}`]))).toBe(200)
      for (const host of [
        "evil.example",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "0x7f.0.0.1", // Bun normalises the URL to 127.0.0.1; the guard reads the header as sent
        "[::ffff:7f00:1]",
      ]) {
        expect(await raw(port, request("/mcp", [`host: ${host}`]))).toBe(403)
      }
      // Not a URL authority at all: Bun gives no absolute URL, and the server answers 400.
      for (const host of ["evil.example:80@127.0.0.1", "a b"]) {
        expect(await raw(port, request("/mcp", [`host: ${host}`]))).toBe(400)
      }
      // An absolute-form target naming a rebinding host, and one naming localhost with a hostile Host header.
      expect(await raw(port, request("http://evil.example/mcp", ["host: evil.example"]))).toBe(403)
      expect(await raw(port, request(`http://127.0.0.1:${port}/mcp`, ["host: evil.example"]))).toBeOneOf([400, 403])
      // Two Host headers are malformed (RFC 9112 §3.2): refused one way or the other, never served.
      expect(await raw(port, request("/mcp", ["host: localhost", "host: evil.example"]))).toBeOneOf([400, 403])
      // HTTP/1.0 with no Host at all: a clear 400, not a crash.
      expect(await raw(port, "GET /healthz HTTP/1.0\r\n\r\n")).toBe(400)
      expect(await raw(port, `POST /mcp HTTP/1.0\r\ncontent-length: ${body.length}\r\n\r\n${body}`)).toBe(400)
      expect(await raw(port, request("/mcp", ["host:"]))).toBe(400)
      expect(server.sessions.size).toBe(1)
    } finally {
      await server.stop()
    }
  })
})
