import { afterEach, describe, expect, test } from "bun:test"
import type { Hono } from "hono"
import { SIGN_IN_TTL_MS } from "@/http/auth/oidc-proxy"
import type { FakeIdp, FakeIdpSettings } from "../fixture/fake-idp"
import {
  authorizeAndApprove,
  authorizeUrl,
  BASE,
  type Browser,
  CLIENT_CALLBACK,
  captureLogs,
  newBrowser,
  pkce,
  postRegister,
  RESOURCE,
  register,
  resetLogs,
  startSetup,
  visit,
} from "./oidc-proxy-harness"

afterEach(resetLogs)

describe("registration refusals", () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      "http on a public host",
      { redirect_uris: ["http://client.example/cb"] },
      "invalid_redirect_uri",
      "must use https",
    ],
    ["a custom scheme", { redirect_uris: ["myapp://callback"] }, "invalid_redirect_uri", "must use https"],
    [
      "a fragment",
      { redirect_uris: ["https://client.example/cb#top"] },
      "invalid_redirect_uri",
      "must not have a fragment",
    ],
    [
      "credentials",
      { redirect_uris: ["https://u:p@client.example/cb"] },
      "invalid_redirect_uri",
      "must not carry credentials",
    ],
    ["no redirect URIs", { redirect_uris: undefined }, "invalid_redirect_uri", "redirect_uris must list 1 to 10"],
    ["an empty list", { redirect_uris: [] }, "invalid_redirect_uri", "redirect_uris must list 1 to 10"],
    ["not a URL", { redirect_uris: ["/relative"] }, "invalid_redirect_uri", "must be an absolute URL"],
    [
      "an unknown auth method",
      { token_endpoint_auth_method: "private_key_jwt" },
      "invalid_client_metadata",
      "one of none",
    ],
    ["the implicit grant", { grant_types: ["implicit"] }, "invalid_client_metadata", "grant_types must include"],
    [
      "a token response type",
      { response_types: ["token"] },
      "invalid_client_metadata",
      'response_types must be ["code"]',
    ],
    ["an unknown scope", { scope: "openid admin" }, "invalid_client_metadata", "Unsupported scope admin"],
  ]
  test.each(cases)("%s → 400", async (_name, metadata, error, description) => {
    await using s = await startSetup()
    const res = await postRegister(s.app, JSON.stringify({ redirect_uris: [CLIENT_CALLBACK], ...metadata }))
    expect(res.status).toBe(400)
    expect(res.headers.get("cache-control")).toBe("no-store")
    const body = (await res.json()) as { error: string; error_description: string }
    expect(body.error).toBe(error)
    expect(body.error_description).toContain(description)
  })

  test("a body that is not a JSON object → invalid_client_metadata", async () => {
    await using s = await startSetup()
    for (const body of ["not json", "[]", "null"]) {
      expect(await (await postRegister(s.app, body)).json()).toMatchObject({ error: "invalid_client_metadata" })
    }
  })

  test("loopback http redirect URIs are accepted (native apps)", async () => {
    await using s = await startSetup()
    const uris = ["http://127.0.0.1:4000/cb", "http://localhost:33418/callback", "http://[::1]:5000/cb"]
    expect((await register(s.app, { redirect_uris: uris })).redirect_uris).toEqual(uris)
  })
})

describe("authorize refusals", () => {
  const start = (clientId: string, params: Record<string, string | undefined> = {}) => {
    const { challenge } = pkce()
    return authorizeUrl(clientId, {
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: "st-1",
      ...params,
    })
  }

  test("an unknown or missing client and an unregistered redirect URI are answered here, never redirected", async () => {
    await using s = await startSetup()
    const client = await register(s.app)
    const checks: [string, string, string][] = [
      [start("no-such-client"), "invalid_client", "Unknown client_id"],
      [start(client.client_id).replace(/client_id=[^&]+&?/, ""), "invalid_request", "client_id is missing"],
      [start(client.client_id, { redirect_uri: "https://evil.example/cb" }), "invalid_request", "not registered"],
      [start(client.client_id, { redirect_uri: `${CLIENT_CALLBACK}/more` }), "invalid_request", "not registered"],
      [`${start(client.client_id)}&state=again`, "invalid_request", "The parameter state is repeated"],
    ]
    for (const [url, error, description] of checks) {
      const res = await s.app.request(url)
      expect(res.status).toBe(400)
      expect(res.headers.get("location")).toBeNull()
      const body = (await res.json()) as { error: string; error_description: string }
      expect(body.error).toBe(error)
      expect(body.error_description).toContain(description)
    }
    expect(s.idp.authorizeRequests).toHaveLength(0)
  })

  const redirected: [string, Record<string, string | undefined>, string, string][] = [
    ["no code_challenge", { code_challenge: undefined }, "invalid_request", "code_challenge is required"],
    ["the plain method", { code_challenge_method: "plain" }, "invalid_request", "code_challenge_method must be S256"],
    ["no method", { code_challenge_method: undefined }, "invalid_request", "code_challenge_method must be S256"],
    ["a malformed challenge", { code_challenge: "short" }, "invalid_request", "not an S256 challenge"],
    ["response_type token", { response_type: "token" }, "unsupported_response_type", "response_type must be code"],
    ["another resource", { resource: "https://other.example/mcp" }, "invalid_target", `resource must be ${RESOURCE}`],
    ["an unknown scope", { scope: "openid admin" }, "invalid_scope", "Scope admin is not available"],
  ]
  test.each(redirected)(
    "%s → back to the client with the error and its state",
    async (_name, params, error, description) => {
      await using s = await startSetup()
      const client = await register(s.app)
      const res = await s.app.request(start(client.client_id, params))
      expect(res.status).toBe(302)
      const back = new URL(res.headers.get("location") ?? "")
      expect(`${back.origin}${back.pathname}`).toBe(CLIENT_CALLBACK)
      expect(back.searchParams.get("error")).toBe(error)
      expect(back.searchParams.get("error_description")).toContain(description)
      expect(back.searchParams.get("state")).toBe("st-1")
      expect(back.searchParams.get("iss")).toBe(BASE)
      expect(s.idp.authorizeRequests).toHaveLength(0)
    },
  )

  test("a state over 2048 characters → back to the client with invalid_request and iss, without the state", async () => {
    await using s = await startSetup()
    const client = await register(s.app)
    const res = await s.app.request(start(client.client_id, { state: "s".repeat(2049) }))
    expect(res.status).toBe(302)
    const back = new URL(res.headers.get("location") ?? "")
    expect(`${back.origin}${back.pathname}`).toBe(CLIENT_CALLBACK)
    expect(back.searchParams.get("error")).toBe("invalid_request")
    expect(back.searchParams.get("error_description")).toBe("state is too long")
    expect(back.searchParams.get("state")).toBeNull()
    expect(back.searchParams.get("iss")).toBe(BASE)
  })

  test("redirect_uri may be left out with one registered URI; a loopback IP's port may change, localhost's not", async () => {
    await using s = await startSetup()
    const single = await register(s.app)
    const toIdp = await authorizeAndApprove(s.app, start(single.client_id, { redirect_uri: undefined }))
    expect(toIdp.headers.get("location")).toStartWith(`${s.idp.origin}/authorize?`)

    const uris = ["http://127.0.0.1:3000/cb", "http://localhost:3000/cb"]
    const native = await register(s.app, { redirect_uris: uris })
    expect((await s.app.request(start(native.client_id, { redirect_uri: undefined }))).status).toBe(400)
    const otherPort = await authorizeAndApprove(
      s.app,
      start(native.client_id, { redirect_uri: "http://127.0.0.1:4567/cb" }),
    )
    expect(otherPort.headers.get("location")).toStartWith(`${s.idp.origin}/authorize?`)
    expect((await s.app.request(start(native.client_id, { redirect_uri: "http://127.0.0.1:4567/other" }))).status).toBe(
      400,
    )
    expect((await s.app.request(start(native.client_id, { redirect_uri: "http://localhost:4567/cb" }))).status).toBe(
      400,
    )
  })
})

describe("callback refusals", () => {
  /** Our /authorize and consent, then the IdP: where the IdP sends `browser` back to (our /auth/callback). */
  async function callbackUrl(s: { app: Hono; idp: FakeIdp }, browser: Browser) {
    const client = await register(s.app)
    const { challenge } = pkce()
    const params = { code_challenge: challenge, code_challenge_method: "S256", state: "client-state" }
    const toIdp = (await authorizeAndApprove(s.app, authorizeUrl(client.client_id, params), browser)).headers
    return (await fetch(toIdp.get("location") ?? "", { redirect: "manual" })).headers.get("location") ?? ""
  }
  /** The IdP's answer arriving at our callback in `browser`. */
  async function callback(s: { app: Hono; idp: FakeIdp }) {
    const browser = newBrowser()
    return visit(s.app, browser, await callbackUrl(s, browser))
  }

  test("an unknown, missing, replayed or stale state → 400 without a redirect", async () => {
    await using s = await startSetup()
    for (const url of [`${BASE}/auth/callback?state=forged&code=x`, `${BASE}/auth/callback?code=x`]) {
      const res = await s.app.request(url)
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({
        error: "invalid_request",
        error_description: "Unknown or expired sign-in; start again from your MCP client",
      })
    }
    const browser = newBrowser()
    const url = await callbackUrl(s, browser)
    expect((await visit(s.app, browser, url)).status).toBe(302)
    expect((await visit(s.app, browser, url)).status).toBe(400)
    const stale = await callbackUrl(s, browser)
    s.advance(SIGN_IN_TTL_MS + 1000)
    expect((await visit(s.app, browser, stale)).status).toBe(400)
  })

  test("the IdP refusing the sign-in → access_denied at the client, with its state", async () => {
    await using s = await startSetup({ signIn: "denied" })
    const landed = new URL((await callback(s)).headers.get("location") ?? "")
    expect(landed.searchParams.get("error")).toBe("access_denied")
    expect(landed.searchParams.get("state")).toBe("client-state")
    expect(landed.searchParams.get("code")).toBeNull()
  })

  const broken: [string, Partial<FakeIdpSettings>, string][] = [
    [
      "the token endpoint answering an error",
      { codeGrant: "error" },
      "token endpoint answered HTTP 400 (invalid_grant)",
    ],
    ["an id_token for another audience", { idToken: "wrong-audience" }, "upstream id_token: JWT audience mismatch"],
    ["an id_token from another issuer", { idToken: "wrong-issuer" }, "upstream id_token: JWT issuer mismatch"],
    ["an expired id_token", { idToken: "expired" }, "upstream id_token: JWT expired"],
    ["an id_token with another nonce", { idToken: "bad-nonce" }, "upstream id_token nonce mismatch"],
    ["a tampered id_token", { idToken: "tampered" }, "upstream id_token: bad JWT signature"],
    ["no id_token", { idToken: "missing" }, "token endpoint answer has no id_token"],
  ]
  test.each(broken)("%s → server_error at the client, the reason in the log only", async (_name, settings, reason) => {
    await using s = await startSetup(settings)
    const lines = captureLogs()
    const res = await callback(s)
    const landed = new URL(res.headers.get("location") ?? "")
    expect(`${landed.origin}${landed.pathname}`).toBe(CLIENT_CALLBACK)
    expect(landed.searchParams.get("error")).toBe("server_error")
    expect(landed.searchParams.get("error_description")).toBe(
      "The sign-in could not be verified with the identity provider",
    )
    expect(landed.searchParams.get("code")).toBeNull()
    expect(lines.join("\n")).toContain(reason)
  })
})
