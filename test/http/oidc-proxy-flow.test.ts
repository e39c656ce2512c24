import { afterEach, describe, expect, test } from "bun:test"
import { join } from "node:path"
import { ACCESS_TOKEN_TTL_S } from "@/http/auth/oidc-proxy/tokens"
import { FAKE_CLIENT, startFakeIdp } from "../fixture/fake-idp"
import { tmpdir } from "../fixture/tmpdir"
import {
  BASE,
  CLIENT_CALLBACK,
  captureLogs,
  claimsOf,
  exchangeCode,
  listTools,
  RESOURCE,
  register,
  resetLogs,
  SIGNING_KEY,
  signIn,
  startProxy,
  type Tokens,
  tokenRequest,
} from "./oidc-proxy-harness"

afterEach(resetLogs)

describe("oidc-proxy: discovery documents", () => {
  test("the protected resource names BASE_URL as its authorization server, whose metadata lists our endpoints", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    await using proxy = await startProxy(idp, dir)
    const resource = await (await proxy.app.request(`${BASE}/.well-known/oauth-protected-resource/mcp`)).json()
    expect(resource).toMatchObject({
      resource: RESOURCE,
      authorization_servers: [BASE],
      scopes_supported: ["openid", "offline_access"],
    })
    const res = await proxy.app.request(`${BASE}/.well-known/oauth-authorization-server`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      issuer: BASE,
      authorization_endpoint: `${BASE}/authorize`,
      token_endpoint: `${BASE}/token`,
      registration_endpoint: `${BASE}/register`,
      scopes_supported: ["openid", "offline_access"],
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
    })
    const challenge = (await proxy.app.request(`${BASE}/mcp`, { method: "POST" })).headers.get("www-authenticate")
    expect(challenge).toBe(
      `Bearer scope="openid", resource_metadata="${BASE}/.well-known/oauth-protected-resource/mcp"`,
    )
  })

  test("under a BASE_URL with a path, the metadata is also served at the RFC 8414 path-suffixed URL", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    await using proxy = await startProxy(idp, dir, { vars: { BASE_URL: `${BASE}/images/` } })
    for (const path of ["/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/images"]) {
      const doc = (await (await proxy.app.request(`${BASE}${path}`)).json()) as Record<string, unknown>
      expect(doc).toMatchObject({ issuer: `${BASE}/images`, token_endpoint: `${BASE}/images/token` })
    }
  })
})

describe("oidc-proxy: the whole flow", () => {
  test("register → authorize → IdP → callback → token → tools/list → refresh; a spent refresh token is refused", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    await using proxy = await startProxy(idp, dir)
    const lines = captureLogs()
    const flow = await signIn(proxy.app, idp)
    expect(flow.client.client_secret).toBeString()
    expect(flow.client).toMatchObject({
      redirect_uris: [CLIENT_CALLBACK],
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["authorization_code", "refresh_token"],
      client_secret_expires_at: 0,
      client_name: "Test client",
    })
    expect(flow.landed.origin + flow.landed.pathname).toBe(CLIENT_CALLBACK)
    expect(flow.landed.searchParams.get("state")).toBe(flow.state)
    expect(flow.landed.searchParams.get("iss")).toBe(BASE)

    // The IdP saw the server's own client, callback, PKCE and nonce, never the MCP client's.
    const upstream = idp.authorizeRequests.at(-1)
    expect(upstream?.get("client_id")).toBe(FAKE_CLIENT.id)
    expect(upstream?.get("redirect_uri")).toBe(`${BASE}/auth/callback`)
    expect(upstream?.get("code_challenge_method")).toBe("S256")
    expect(upstream?.get("scope")).toBe("openid")
    expect(upstream?.get("nonce")?.length).toBeGreaterThanOrEqual(43)
    expect(upstream?.get("state")).not.toBe(flow.state)
    expect(idp.clientAuth).toEqual(["basic"])

    const tokens = await exchangeCode(proxy.app, flow)
    expect(tokens).toMatchObject({ token_type: "Bearer", expires_in: ACCESS_TOKEN_TTL_S, scope: "openid" })
    const claims = claimsOf(tokens.access_token)
    expect(claims).toMatchObject({ iss: BASE, aud: RESOURCE, sub: "user-123", scope: "openid" })
    expect(claims.client_id).toBe(flow.client.client_id)
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600)

    const list = await listTools(proxy.app, tokens.access_token)
    expect(list.status).toBe(200)
    expect(await list.text()).toContain('"name":"generate_image"')

    const refresh = { grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }
    const renewed = await tokenRequest(proxy.app, refresh, flow.client)
    expect(renewed.status).toBe(200)
    expect(renewed.headers.get("cache-control")).toBe("no-store")
    const next = (await renewed.json()) as Tokens
    expect(next.refresh_token).not.toBe(tokens.refresh_token)
    expect(claimsOf(next.access_token)).toMatchObject({ sub: "user-123", scope: "openid" })
    expect((await listTools(proxy.app, next.access_token)).status).toBe(200)

    const replay = await tokenRequest(proxy.app, refresh, flow.client)
    expect(replay.status).toBe(400)
    expect(await replay.json()).toEqual({
      error: "invalid_grant",
      error_description: "The refresh token is invalid, expired or revoked",
    })
    // The replay revoked the whole sign-in: the newest refresh token is gone too.
    const after = await tokenRequest(proxy.app, { ...refresh, refresh_token: next.refresh_token ?? "" }, flow.client)
    expect(after.status).toBe(400)

    const log = lines.join("\n")
    expect(log).toContain("Signed in through the identity provider")
    expect(log).toContain("refresh token used twice")
    for (const secret of [
      flow.code,
      tokens.access_token,
      tokens.refresh_token,
      flow.client.client_secret,
      FAKE_CLIENT.secret,
    ]) {
      expect(log).not.toContain(secret ?? "absent")
    }
  })

  test("public clients use PKCE alone; client_secret_post clients send their secret in the body", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    await using proxy = await startProxy(idp, dir)
    const open = await signIn(proxy.app, idp, { register: { token_endpoint_auth_method: "none" } })
    expect(open.client.client_secret).toBeUndefined()
    const params = {
      grant_type: "authorization_code",
      code: open.code,
      code_verifier: open.verifier,
      redirect_uri: CLIENT_CALLBACK,
    }
    const res = await tokenRequest(proxy.app, params, open.client, "none")
    expect(res.status).toBe(200)

    const post = await signIn(proxy.app, idp, { register: { token_endpoint_auth_method: "client_secret_post" } })
    const withoutSecret = await tokenRequest(proxy.app, { ...params, code: post.code }, post.client, "none")
    expect(withoutSecret.status).toBe(401)
    expect(await withoutSecret.json()).toMatchObject({ error: "invalid_client" })
    const again = await signIn(proxy.app, idp, { client: post.client })
    const ok = { ...params, code: again.code, code_verifier: again.verifier }
    expect((await tokenRequest(proxy.app, ok, post.client, "post")).status).toBe(200)
  })

  test("a client without the refresh_token grant gets no refresh token; the upstream uses client_secret_post when told", async () => {
    await using idp = await startFakeIdp({ authMethods: ["client_secret_post"] })
    await using dir = await tmpdir()
    await using proxy = await startProxy(idp, dir)
    const flow = await signIn(proxy.app, idp, { register: { grant_types: ["authorization_code"] } })
    const tokens = await exchangeCode(proxy.app, flow)
    expect(tokens.refresh_token).toBeUndefined()
    expect(idp.clientAuth).toEqual(["post"])
  })

  test("scopes: asked ones plus required ones, offline_access stays ours; refresh may narrow but not widen", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    await using proxy = await startProxy(idp, dir, { vars: { OIDC_REQUIRED_SCOPES: "openid mcp" } })
    const flow = await signIn(proxy.app, idp, { params: { scope: "offline_access" } })
    expect(idp.authorizeRequests.at(-1)?.get("scope")).toBe("openid mcp")
    const tokens = await exchangeCode(proxy.app, flow)
    expect(tokens.scope).toBe("offline_access openid mcp")
    expect((await listTools(proxy.app, tokens.access_token)).status).toBe(200)

    const refresh = { grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }
    const wider = await tokenRequest(proxy.app, { ...refresh, scope: "openid mcp profile" }, flow.client)
    expect(wider.status).toBe(400)
    expect(await wider.json()).toMatchObject({ error: "invalid_scope" })
    // The refused request spent nothing: the same refresh token still works, narrowed.
    const narrowed = (await (
      await tokenRequest(proxy.app, { ...refresh, scope: "openid" }, flow.client)
    ).json()) as Tokens
    expect(narrowed.scope).toBe("openid")
    expect(claimsOf(narrowed.access_token).scope).toBe("openid")
    // Narrowing shapes that access token only: the new refresh token keeps the grant's scope (RFC 6749 §6).
    const next = { grant_type: "refresh_token", refresh_token: narrowed.refresh_token ?? "" }
    const restored = await tokenRequest(proxy.app, next, flow.client)
    expect(((await restored.json()) as Tokens).scope).toBe("offline_access openid mcp")
  })

  test("scopes the IdP did not grant are dropped; a required one it did not grant ends the sign-in with access_denied", async () => {
    await using idp = await startFakeIdp({ grantedScope: "openid profile mcp" })
    await using dir = await tmpdir()
    const vars = {
      OIDC_REQUIRED_SCOPES: "openid mcp",
      OIDC_ADVERTISED_SCOPES: "openid offline_access mcp images:write",
    }
    await using proxy = await startProxy(idp, dir, { vars })
    const flow = await signIn(proxy.app, idp, { params: { scope: "images:write offline_access" } })
    expect(idp.authorizeRequests.at(-1)?.get("scope")).toBe("openid images:write mcp")
    const tokens = await exchangeCode(proxy.app, flow)
    expect(tokens.scope).toBe("offline_access openid mcp")
    expect(claimsOf(tokens.access_token).scope).toBe("offline_access openid mcp")

    // An IdP that grants the user only `openid` (e.g. by role) keeps them out, even though mcp is required here.
    idp.settings.grantedScope = "openid"
    const lines = captureLogs()
    await expect(signIn(proxy.app, idp)).rejects.toThrow("error=access_denied")
    expect(lines.join("\n")).toContain("did not grant the required scope mcp")
    // An answer without `scope` grants what was asked (RFC 6749 §5.1).
    idp.settings.grantedScope = undefined
    expect((await exchangeCode(proxy.app, await signIn(proxy.app, idp))).scope).toBe("openid mcp")
  })

  test("OIDC_VERIFY_ACCESS_TOKEN=true checks the IdP's access token (OIDC_AUDIENCE applies), not its id_token", async () => {
    await using idp = await startFakeIdp({ idToken: "missing" })
    await using dir = await tmpdir()
    const vars = { OIDC_VERIFY_ACCESS_TOKEN: "true", OIDC_AUDIENCE: "https://mcp.example.test/mcp" }
    await using proxy = await startProxy(idp, dir, { vars })
    const tokens = await exchangeCode(proxy.app, await signIn(proxy.app, idp))
    expect(claimsOf(tokens.access_token).sub).toBe("user-123")

    await using other = await startProxy(idp, dir, { vars: { ...vars, OIDC_AUDIENCE: "https://elsewhere.example" } })
    const lines = captureLogs()
    await expect(signIn(other.app, idp)).rejects.toThrow("error=server_error")
    expect(lines.join("\n")).toContain("upstream access_token: JWT audience mismatch")
  })
})

describe("oidc-proxy: keys and restarts", () => {
  test("a restart with the same signing key keeps tokens valid and clients registered", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    const first = await startProxy(idp, dir)
    const flow = await signIn(first.app, idp)
    const tokens = await exchangeCode(first.app, flow)
    await first[Symbol.asyncDispose]()

    await using second = await startProxy(idp, dir)
    expect((await listTools(second.app, tokens.access_token)).status).toBe(200)
    const refresh = { grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }
    expect((await tokenRequest(second.app, refresh, flow.client)).status).toBe(200)
    const again = await signIn(second.app, idp, { client: flow.client })
    expect((await exchangeCode(second.app, again)).access_token).toBeString()
  })

  test("tokens signed by another key are refused; clients survive a key change", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    await using first = await startProxy(idp, dir)
    const flow = await signIn(first.app, idp)
    const tokens = await exchangeCode(first.app, flow)
    const lines = captureLogs()
    await using second = await startProxy(idp, dir, { vars: { OIDC_JWT_SIGNING_KEY: `${SIGNING_KEY}-rotated` } })
    const refused = await listTools(second.app, tokens.access_token)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toEqual({ error: "invalid_token", error_description: "The access token is invalid" })
    expect(lines.join("\n")).toContain("JWT signed by another key")
    const refresh = { grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }
    expect((await tokenRequest(second.app, refresh, flow.client)).status).toBe(400)
    expect((await exchangeCode(second.app, await signIn(second.app, idp, { client: flow.client }))).scope).toBe(
      "openid",
    )
  })

  test("without OIDC_JWT_SIGNING_KEY a random key is used, with a warning: tokens do not outlive the process", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    const lines = captureLogs()
    await using first = await startProxy(idp, dir, { vars: { OIDC_JWT_SIGNING_KEY: "" } })
    expect(lines.join("\n")).toContain("OIDC_JWT_SIGNING_KEY is not set: tokens are signed with a random key")
    const tokens = await exchangeCode(first.app, await signIn(first.app, idp))
    expect((await listTools(first.app, tokens.access_token)).status).toBe(200)
    await using second = await startProxy(idp, dir, { vars: { OIDC_JWT_SIGNING_KEY: "" } })
    expect((await listTools(second.app, tokens.access_token)).status).toBe(401)
  })

  test("an access token expires after an hour; a token lacking a newly required scope gets 403", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    let offset = 0
    const clock = () => Date.now() + offset
    await using proxy = await startProxy(idp, dir, { deps: { clock } })
    const tokens = await exchangeCode(proxy.app, await signIn(proxy.app, idp))
    offset = (ACCESS_TOKEN_TTL_S + 60) * 1000
    expect((await listTools(proxy.app, tokens.access_token)).status).toBe(401)

    await using stricter = await startProxy(idp, dir, { vars: { OIDC_REQUIRED_SCOPES: "openid mcp" } })
    const res = await listTools(stricter.app, tokens.access_token)
    expect(res.status).toBe(403)
    expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope"')
  })
})

describe("oidc-proxy: where state lives, and multi mode", () => {
  test("KV_STORE_URL: memory:// forgets clients on restart (with a warning); file:/// keeps them in oauth.sqlite", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    const lines = captureLogs()
    const memory = { KV_STORE_URL: "memory://" }
    const first = await startProxy(idp, dir, { vars: memory })
    expect(lines.join("\n")).toContain("Registered OAuth clients are kept in memory")
    const client = await register(first.app)
    await first[Symbol.asyncDispose]()
    await using second = await startProxy(idp, dir, { vars: memory })
    await expect(signIn(second.app, idp, { client })).rejects.toThrow("Unknown client_id")

    const file = { KV_STORE_URL: `file://${dir.path}` }
    const third = await startProxy(idp, dir, { vars: file })
    const kept = await register(third.app)
    await third[Symbol.asyncDispose]()
    expect(await Bun.file(join(dir.path, "oauth.sqlite")).exists()).toBe(true)
    await using fourth = await startProxy(idp, dir, { vars: file })
    expect((await exchangeCode(fourth.app, await signIn(fourth.app, idp, { client: kept }))).scope).toBe("openid")
  })

  test("multi mode: a static bearer token and a proxy-issued token both get in", async () => {
    await using idp = await startFakeIdp()
    await using dir = await tmpdir()
    const bearer = "static-bearer-token-0123456789"
    await using proxy = await startProxy(idp, dir, { vars: { BEARER_TOKEN: bearer } })
    const tokens = await exchangeCode(proxy.app, await signIn(proxy.app, idp))
    expect((await listTools(proxy.app, tokens.access_token)).status).toBe(200)
    expect((await listTools(proxy.app, bearer)).status).toBe(200)
    expect((await listTools(proxy.app, "wrong-token")).status).toBe(401)
  })
})
