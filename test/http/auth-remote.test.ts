import { afterEach, describe, expect, test } from "bun:test"
import { createHmac } from "node:crypto"
import { Hono } from "hono"
import { type Config, ConfigError, loadConfig } from "@/config/config"
import { type AuthDeps, createAuth, getIdentity } from "@/http/auth"
import { fetchDiscovery } from "@/http/auth/oidc-remote"
import { configureLogger } from "@/util/log"
import { FAKE_AUDIENCE, type FakeIdp, type MintOptions, startFakeIdp } from "../fixture/fake-idp"

const P = "IMAGE_GENERATION_MCP_"
const BASE = "https://mcp.example.test"
const META = `${BASE}/.well-known/oauth-protected-resource/mcp`

function remoteConfig(idp: FakeIdp, vars: Record<string, string> = {}): Config {
  const env = {
    BASE_URL: BASE,
    OIDC_CONFIG_URL: idp.configUrl,
    OIDC_AUDIENCE: FAKE_AUDIENCE,
    OIDC_REQUIRED_SCOPES: "mcp",
    ...vars,
  }
  return loadConfig(Object.fromEntries(Object.entries(env).map(([k, v]) => [P + k, v])), "/home/u").config
}

async function protectedApp(config: Config, deps?: AuthDeps) {
  const auth = await createAuth(config, deps)
  const app = new Hono()
  auth.routes(app)
  app.use("/mcp", auth.middleware)
  app.all("/mcp", (c) => c.json(getIdentity(c)))
  const call = (token: string) => app.request("/mcp", { method: "POST", headers: { authorization: `Bearer ${token}` } })
  return { auth, app, call }
}

function captureLogs() {
  const lines: string[] = []
  configureLogger({ level: "debug", json: true, sink: (line) => lines.push(line) })
  return lines
}
afterEach(() => configureLogger({ level: "error", json: true, sink: (line) => process.stderr.write(`${line}\n`) }))

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

describe("remote mode: token validation against the IdP's JWKS", () => {
  test("a valid token is accepted; the identity comes from its claims", async () => {
    await using idp = await startFakeIdp()
    const { call, auth } = await protectedApp(remoteConfig(idp))
    expect(auth.mode).toBe("remote")
    const res = await call(await idp.mint())
    expect(res.status).toBe(200)
    const identity = (await res.json()) as Record<string, unknown>
    expect(identity).toMatchObject({
      subject: "user-123",
      scopes: ["openid", "mcp"],
      clientId: "test-client",
      method: "jwt",
    })
    expect(identity.expiresAt).toBeNumber()
  })

  test.each(["ES256", "PS256", "EdDSA"] as const)("%s signatures verify too", async (alg) => {
    await using idp = await startFakeIdp()
    const { call } = await protectedApp(remoteConfig(idp))
    expect((await call(await idp.mint({ alg }))).status).toBe(200)
    expect((await call(await idp.mint({ alg, tamper: true }))).status).toBe(401)
  })

  test("a client-credentials token from the token endpoint: subject is the client id; scp lists count", async () => {
    await using idp = await startFakeIdp()
    const { call } = await protectedApp(remoteConfig(idp))
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: "robot", scope: "mcp" })
    const { access_token } = (await (await fetch(`${idp.origin}/token`, { method: "POST", body: form })).json()) as {
      access_token: string
    }
    expect(await (await call(access_token)).json()).toMatchObject({
      subject: "robot",
      clientId: "robot",
      scopes: ["mcp"],
    })
    const scp = await idp.mint({ claims: { scope: undefined, scp: ["mcp", "other"] } })
    expect(await (await call(scp)).json()).toMatchObject({ scopes: ["mcp", "other"] })
    const azp = await idp.mint({ claims: { sub: undefined, client_id: undefined, azp: "spa" } })
    expect(await (await call(azp)).json()).toMatchObject({ subject: "spa", clientId: "spa" })
  })

  test("small clock skew is tolerated; an audience list containing ours passes", async () => {
    await using idp = await startFakeIdp()
    const { call } = await protectedApp(remoteConfig(idp))
    expect((await call(await idp.mint({ expiresIn: -10 }))).status).toBe(200)
    expect((await call(await idp.mint({ claims: { nbf: Math.floor(Date.now() / 1000) + 10 } }))).status).toBe(200)
    expect((await call(await idp.mint({ claims: { aud: ["other", FAKE_AUDIENCE] } }))).status).toBe(200)
  })

  const now = () => Math.floor(Date.now() / 1000)
  const refused: [string, MintOptions | ((idp: FakeIdp) => Promise<string> | string)][] = [
    ["expired", { expiresIn: -120 }],
    ["not yet valid", { claims: { nbf: now() + 600 } }],
    ["without exp", { claims: { exp: undefined } }],
    ["wrong audience", { claims: { aud: "https://other.example/mcp" } }],
    ["wrong issuer", { claims: { iss: "https://evil.example/realms/test" } }],
    ["unknown kid", { kid: "no-such-key" }],
    ["bad signature", { tamper: true }],
    ["neither sub nor client id", { claims: { sub: undefined, client_id: undefined } }],
    ["alg none", () => `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "x", exp: now() + 60 })}.`],
    [
      "HS256 signed with a guessable secret",
      (idp) => {
        const input = `${b64({ alg: "HS256" })}.${b64({ iss: idp.issuer, aud: FAKE_AUDIENCE, sub: "x", scope: "mcp", exp: now() + 60 })}`
        return `${input}.${createHmac("sha256", "secret").update(input).digest("base64url")}`
      },
    ],
    ["not a JWT", () => "opaque-token-value"],
  ]
  test.each(refused)("%s → 401 invalid_token with the challenge", async (_name, make) => {
    await using idp = await startFakeIdp()
    const lines = captureLogs()
    const { call } = await protectedApp(remoteConfig(idp))
    const token = typeof make === "function" ? await make(idp) : await idp.mint(make)
    const res = await call(token)
    expect(res.status).toBe(401)
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="invalid_token", error_description="The access token is invalid", scope="mcp", resource_metadata="${META}"`,
    )
    expect(await res.json()).toEqual({ error: "invalid_token", error_description: "The access token is invalid" })
    expect(lines.join("\n")).not.toContain(token.split(".")[2] || token)
  })

  test("a token without a required scope → 403 insufficient_scope naming the scopes", async () => {
    await using idp = await startFakeIdp()
    const { call } = await protectedApp(remoteConfig(idp, { OIDC_REQUIRED_SCOPES: "mcp images" }))
    const res = await call(await idp.mint({ claims: { scope: "openid mcp" } }))
    expect(res.status).toBe(403)
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="The access token lacks a required scope", scope="mcp images", resource_metadata="${META}"`,
    )
    expect((await call(await idp.mint({ claims: { scope: "mcp images" } }))).status).toBe(200)
  })

  test("without OIDC_AUDIENCE any audience passes, with a start-up warning", async () => {
    await using idp = await startFakeIdp()
    const lines = captureLogs()
    const { call } = await protectedApp(remoteConfig(idp, { OIDC_AUDIENCE: "" }))
    expect((await call(await idp.mint({ claims: { aud: "https://other.example" } }))).status).toBe(200)
    expect(lines.some((l) => l.includes("OIDC_AUDIENCE is not set"))).toBe(true)
  })

  test("no credentials → 401 with the metadata and required scope, and the metadata names the issuer", async () => {
    await using idp = await startFakeIdp()
    const { app } = await protectedApp(remoteConfig(idp))
    const res = await app.request("/mcp", { method: "GET" })
    expect(res.status).toBe(401)
    expect(res.headers.get("www-authenticate")).toBe(`Bearer scope="mcp", resource_metadata="${META}"`)
    expect(await (await app.request("/.well-known/oauth-protected-resource/mcp")).json()).toEqual({
      resource: `${BASE}/mcp`,
      authorization_servers: [idp.issuer],
      scopes_supported: ["openid", "offline_access", "mcp"],
      bearer_methods_supported: ["header"],
      resource_name: "image-generation-mcp",
    })
    const custom = await protectedApp(remoteConfig(idp, { OIDC_ADVERTISED_SCOPES: "mcp, profile" }))
    const meta = (await (await custom.app.request("/.well-known/oauth-protected-resource")).json()) as Record<
      string,
      unknown
    >
    expect(meta.scopes_supported).toEqual(["mcp", "profile"])
  })
})

describe("remote mode: keys and discovery", () => {
  test("key rotation: an unknown kid refetches the JWKS once, rate-limited", async () => {
    await using idp = await startFakeIdp()
    let offset = 0
    const clock = () => Date.now() + offset
    const { call } = await protectedApp(remoteConfig(idp), { clock })
    expect((await call(await idp.mint())).status).toBe(200)
    const before = idp.jwksRequests()
    await idp.rotate()
    // Within 30 s of the start-up fetch no refetch happens (cool-down), so the new key is not known yet.
    expect((await call(await idp.mint())).status).toBe(401)
    offset = 31_000
    expect((await call(await idp.mint())).status).toBe(200)
    expect(idp.jwksRequests()).toBe(before + 1)

    const stranger = await idp.mint({ kid: "not-published" })
    for (let i = 0; i < 5; i++) expect((await call(stranger)).status).toBe(401)
    expect(idp.jwksRequests()).toBe(before + 1)
    offset = 62_000
    expect((await call(stranger)).status).toBe(401)
    expect(idp.jwksRequests()).toBe(before + 2)
  })

  test("an unreachable JWKS at start-up is logged, not fatal; keys load once it answers", async () => {
    await using idp = await startFakeIdp({ jwks: "error" })
    const lines = captureLogs()
    let offset = 0
    const { call } = await protectedApp(remoteConfig(idp), { clock: () => Date.now() + offset })
    expect(lines.some((l) => l.includes("Could not fetch the OIDC signing keys"))).toBe(true)
    idp.settings.jwks = "ok"
    offset = 31_000
    expect((await call(await idp.mint())).status).toBe(200)
  })

  const broken: [string, "error" | "not-json" | "no-jwks" | "no-issuer", string][] = [
    ["HTTP error", "error", "HTTP 500"],
    ["not JSON", "not-json", "the answer is not JSON"],
    ["no jwks_uri", "no-jwks", "it has no usable 'jwks_uri'"],
    ["no issuer", "no-issuer", "it has no 'issuer'"],
  ]
  test.each(broken)("discovery %s → start-up error", async (_name, discovery, problem) => {
    await using idp = await startFakeIdp({ discovery })
    const error = await createAuth(remoteConfig(idp)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toBe(`Could not use the OIDC discovery document at ${idp.configUrl}: ${problem}.`)
  })

  test("an unreachable or silent IdP is a start-up error; the URL's query is not shown", async () => {
    const closed = await startFakeIdp()
    const url = `${closed.configUrl}?key=hidden-value`
    await closed[Symbol.asyncDispose]()
    await expect(fetchDiscovery(url, fetch)).rejects.toThrow(`at ${closed.configUrl}: `)
    await expect(fetchDiscovery(url, fetch)).rejects.not.toThrow("hidden-value")
    const silent = (async () => {
      throw new DOMException("The operation timed out.", "TimeoutError")
    }) as unknown as typeof fetch
    await expect(fetchDiscovery(url, silent)).rejects.toThrow("no answer within 10 s")
  })
})

describe("multi mode", () => {
  test("a bearer token or a JWT gets in; required scopes are not enforced", async () => {
    await using idp = await startFakeIdp()
    const token = "multi-static-token-0123456789"
    const { call, auth, app } = await protectedApp(remoteConfig(idp, { BEARER_TOKEN: token }))
    expect(auth.mode).toBe("multi")
    expect(await (await call(token)).json()).toMatchObject({ subject: "bearer-anon", method: "bearer" })
    expect(await (await call(await idp.mint({ claims: { scope: "" } }))).json()).toMatchObject({ subject: "user-123" })
    expect((await call(await idp.mint({ expiresIn: -600 }))).status).toBe(401)
    expect((await call("nope")).status).toBe(401)
    const challenge = (await app.request("/mcp")).headers.get("www-authenticate")
    expect(challenge).toBe(`Bearer resource_metadata="${META}"`)
  })

  test("a failing OIDC part is a hard start-up error", async () => {
    await using idp = await startFakeIdp({ discovery: "no-jwks" })
    await expect(createAuth(remoteConfig(idp, { BEARER_TOKEN: "multi-static-token" }))).rejects.toThrow(ConfigError)
  })
})
