import { afterEach, describe, expect, spyOn, test } from "bun:test"
import crypto from "node:crypto"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Hono } from "hono"
import { type Config, ConfigError, loadConfig } from "@/config/config"
import { createHttpApp } from "@/http/app"
import { type Auth, createAuth, getIdentity } from "@/http/auth"
import { loadTokensFile } from "@/http/auth/bearer"
import { configureLogger } from "@/util/log"
import { tmpdir } from "../fixture/tmpdir"
import { startServices } from "../helpers/services"
import { closing, INITIALIZE, LIST_TOOLS, post } from "./helpers"

const P = "IMAGE_GENERATION_MCP_"
const TOKEN = "single-token-0123456789abcdef"
const META = "http://localhost/.well-known/oauth-protected-resource/mcp"

const config = (vars: Record<string, string>): Config =>
  loadConfig(Object.fromEntries(Object.entries(vars).map(([k, v]) => [P + k, v])), "/home/u").config

/** A small app shaped like the real one: public routes, then the guard on /mcp, which echoes the identity. */
function protectedApp(auth: Auth): Hono {
  const app = new Hono()
  auth.routes(app)
  app.use("/mcp", auth.middleware)
  app.all("/mcp", (c) => c.json(getIdentity(c)))
  return app
}

const bearer = (token: string, extra: RequestInit = {}): RequestInit => ({
  ...extra,
  headers: { authorization: `Bearer ${token}` },
})

function captureLogs() {
  const lines: string[] = []
  configureLogger({ level: "debug", json: true, sink: (line) => lines.push(line) })
  return lines
}
afterEach(() => configureLogger({ level: "error", json: true, sink: (line) => process.stderr.write(`${line}\n`) }))

describe("bearer-single", () => {
  test("no credentials → 401 pointing at the resource metadata, on every method", async () => {
    const app = protectedApp(await createAuth(config({ BEARER_TOKEN: TOKEN })))
    for (const method of ["GET", "POST", "DELETE"]) {
      const res = await app.request("/mcp", { method })
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${META}"`)
      expect(await res.json()).toEqual({ error: "unauthorized", error_description: "Authentication required" })
    }
  })

  test("a wrong token, a longer one, a prefix or another scheme → 401 invalid_token, with nothing echoed", async () => {
    const lines = captureLogs()
    const app = protectedApp(await createAuth(config({ BEARER_TOKEN: TOKEN })))
    const headers = [
      `Bearer wrong-${TOKEN}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      "Bearer",
    ]
    for (const authorization of headers) {
      const res = await app.request("/mcp", { headers: { authorization } })
      expect(res.status).toBe(401)
      expect(res.headers.get("www-authenticate")).toBe(
        `Bearer error="invalid_token", error_description="The access token is invalid", resource_metadata="${META}"`,
      )
      const text = await res.text()
      expect(text).toBe('{"error":"invalid_token","error_description":"The access token is invalid"}')
    }
    expect(lines.some((l) => l.includes("Refused a request with invalid credentials"))).toBe(true)
    expect(lines.join("\n")).not.toContain(TOKEN.slice(0, 12))
  })

  test("the right token passes with the default subject and read/write scopes", async () => {
    const app = protectedApp(await createAuth(config({ BEARER_TOKEN: TOKEN })))
    const res = await app.request("/mcp", { method: "POST", headers: { authorization: `bearer  ${TOKEN}` } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ subject: "bearer-anon", scopes: ["read", "write"], method: "bearer" })
    const named = protectedApp(await createAuth(config({ BEARER_TOKEN: TOKEN, BEARER_DEFAULT_SUBJECT: "ops" })))
    expect(await (await named.request("/mcp", bearer(TOKEN))).json()).toMatchObject({ subject: "ops" })
  })

  test("BASE_URL (with a subpath) and HTTP_PATH shape the challenge and the metadata", async () => {
    const auth = await createAuth(
      config({ BEARER_TOKEN: TOKEN, BASE_URL: "https://public.example/base/", HTTP_PATH: "/rpc" }),
    )
    expect(auth.metadataPath).toBe("/.well-known/oauth-protected-resource/rpc")
    const app = new Hono()
    auth.routes(app)
    app.use("/rpc", auth.middleware)
    const res = await app.request("/rpc")
    const url = "https://public.example/base/.well-known/oauth-protected-resource/rpc"
    expect(res.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${url}"`)
    for (const path of ["/.well-known/oauth-protected-resource/rpc", "/.well-known/oauth-protected-resource"]) {
      const meta = await app.request(path)
      expect(meta.headers.get("cache-control")).toBe("public, max-age=300")
      expect(await meta.json()).toEqual({
        resource: "https://public.example/base/rpc",
        bearer_methods_supported: ["header"],
        resource_name: "image-generation-mcp",
      })
    }
  })
})

describe("bearer-mapped", () => {
  test("each token maps to its subject; unknown tokens are refused", async () => {
    await using dir = await tmpdir()
    const file = join(dir.path, "tokens.toml")
    await writeFile(file, '[tokens]\n"alice-token-1234567890" = "alice"\n"bob-token-1234567890" = " bob "\n')
    const app = protectedApp(await createAuth(config({ BEARER_TOKENS_FILE: file, BEARER_TOKEN: TOKEN })))
    expect(await (await app.request("/mcp", bearer("alice-token-1234567890"))).json()).toMatchObject({
      subject: "alice",
    })
    expect(await (await app.request("/mcp", bearer("bob-token-1234567890"))).json()).toMatchObject({ subject: "bob" })
    // BEARER_TOKEN is ignored when a token file is set.
    expect((await app.request("/mcp", bearer(TOKEN))).status).toBe(401)
    expect((await app.request("/mcp", bearer("carol-token"))).status).toBe(401)
  })

  test("every comparison goes through timingSafeEqual on equal-length digests, with no early exit", async () => {
    await using dir = await tmpdir()
    const file = join(dir.path, "tokens.toml")
    await writeFile(file, '[tokens]\n"tok-one-0000000000" = "one"\n"tok-two-0000000000" = "two"\n"tok-3-0" = "three"\n')
    const app = protectedApp(await createAuth(config({ BEARER_TOKENS_FILE: file })))
    const spy = spyOn(crypto, "timingSafeEqual")
    try {
      expect((await app.request("/mcp", bearer("tok-one-0000000000"))).status).toBe(200)
      expect(spy).toHaveBeenCalledTimes(3)
      for (const [a, b] of spy.mock.calls) expect([a.byteLength, b.byteLength]).toEqual([32, 32])
      expect((await app.request("/mcp", bearer("x"))).status).toBe(401)
      expect(spy).toHaveBeenCalledTimes(6)
    } finally {
      spy.mockRestore()
    }
  })

  const secret = "sekrit-token-abcdef"
  const bad: [string, string | null, string][] = [
    ["missing file", null, "the file does not exist"],
    ["not TOML", `[tokens]\n"${secret}" = ${secret}\n`, "not valid TOML."],
    [
      "duplicate token (the parser would quote it)",
      `[tokens]\n"${secret}" = "a"\n"${secret}" = "b"\n`,
      "not valid TOML",
    ],
    ["no [tokens] table", `[other]\n"${secret}" = "a"\n`, "no [tokens] table"],
    ["tokens is a value", `tokens = "${secret}"\n`, "'tokens' must be a table ([tokens]), not a single value"],
    ["empty table", "[tokens]\n", "the [tokens] table is empty"],
    [
      "number subject",
      `[tokens]\n"ok-token" = "a"\n"${secret}" = 42\n`,
      "[tokens] entry 2: the subject must be a string, not a number",
    ],
    [
      "array subject",
      `[tokens]\n"${secret}" = ["a"]\n`,
      "[tokens] entry 1: the subject must be a string, not an array",
    ],
    ["nested table", `[tokens.${secret}]\nsubject = "a"\n`, "[tokens] entry 1 is a nested table"],
    ["dotted key", `[tokens]\n${secret}.x = "a"\n`, "[tokens] entry 1 is a nested table"],
    ["blank token", '[tokens]\n"  " = "a"\n', "[tokens] entry 1 has a blank token"],
    ["token with a space", `[tokens]\n"${secret} x" = "a"\n`, "[tokens] entry 1: the token contains white space"],
    ["blank subject", `[tokens]\n"${secret}" = "  "\n`, "[tokens] entry 1 has a blank subject"],
  ]
  test.each(bad)("%s → start-up error naming the file and problem, never the token", async (_name, text, problem) => {
    await using dir = await tmpdir()
    const file = join(dir.path, "tokens.toml")
    if (text !== null) await writeFile(file, text)
    const error = await loadTokensFile(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    expect(message).toStartWith(`${P}BEARER_TOKENS_FILE (${file}): `)
    expect(message).toContain(problem)
    expect(message).not.toContain(secret)
    await expect(createAuth(config({ BEARER_TOKENS_FILE: file }))).rejects.toThrow(problem)
  })
})

describe("the real MCP endpoint behind the guard", () => {
  test("initialize, later requests, SSE and DELETE all need the token; the session id is no credential", async () => {
    await using env = await startServices()
    await using http = closing(createHttpApp(env.services))
    const app = new Hono()
    const auth = await createAuth(config({ BEARER_TOKEN: TOKEN }))
    auth.routes(app)
    app.use("/mcp", auth.middleware)
    app.all("*", (c) => http.app.fetch(c.req.raw))
    const withToken = (init: RequestInit) => ({
      ...init,
      headers: { ...init.headers, authorization: `Bearer ${TOKEN}` },
    })

    expect((await app.request("/mcp", post(INITIALIZE))).status).toBe(401)
    expect(http.sessions.ids()).toEqual([])
    const init = await app.request("/mcp", withToken(post(INITIALIZE)))
    expect(init.status).toBe(200)
    const id = init.headers.get("mcp-session-id") ?? ""
    await init.body?.cancel()

    expect((await app.request("/mcp", post(LIST_TOOLS, { "mcp-session-id": id }))).status).toBe(401)
    const sse = { method: "GET", headers: { accept: "text/event-stream", "mcp-session-id": id } }
    expect((await app.request("/mcp", sse)).status).toBe(401)
    expect((await app.request("/mcp", { method: "DELETE", headers: { "mcp-session-id": id } })).status).toBe(401)
    expect(http.sessions.ids()).toEqual([id])

    const list = await app.request("/mcp", withToken(post(LIST_TOOLS, { "mcp-session-id": id })))
    expect(await list.text()).toContain('"name":"generate_image"')
    expect((await app.request("/healthz")).status).toBe(200)
  })
})
