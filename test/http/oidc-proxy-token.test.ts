import { afterEach, describe, expect, test } from "bun:test"
import { ConfigError } from "@/config/config"
import { CODE_TTL_MS, OAUTH_REQUESTS_PER_MINUTE } from "@/http/auth/oidc-proxy"
import { startFakeIdp } from "../fixture/fake-idp"
import { tmpdir } from "../fixture/tmpdir"
import {
  BASE,
  browse,
  CLIENT_CALLBACK,
  exchangeCode,
  listTools,
  pkce,
  postRegister,
  RESOURCE,
  register,
  resetLogs,
  type SignIn,
  signIn,
  startProxy,
  startSetup,
  type Tokens,
  tokenRequest,
} from "./oidc-proxy-harness"

afterEach(resetLogs)

describe("token refusals", () => {
  const redeem = (flow: SignIn, overrides: Record<string, string | undefined> = {}) => {
    const params = {
      grant_type: "authorization_code",
      code: flow.code,
      code_verifier: flow.verifier,
      redirect_uri: CLIENT_CALLBACK,
      ...overrides,
    }
    return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string>
  }
  const expectGrantError = async (res: Response, description?: string) => {
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: string; error_description: string }
    expect(body.error).toBe("invalid_grant")
    if (description) expect(body.error_description).toBe(description)
  }

  test("a wrong PKCE verifier → invalid_grant, and the code is spent", async () => {
    await using s = await startSetup()
    const flow = await signIn(s.app, s.idp)
    await expectGrantError(
      await tokenRequest(s.app, redeem(flow, { code_verifier: pkce().verifier }), flow.client),
      "code_verifier does not match the code_challenge",
    )
    await expectGrantError(await tokenRequest(s.app, redeem(flow), flow.client))
  })

  test("a code used twice → invalid_grant, and the refresh token from its first use is revoked", async () => {
    await using s = await startSetup()
    const flow = await signIn(s.app, s.idp)
    const first = (await (await tokenRequest(s.app, redeem(flow), flow.client)).json()) as Tokens
    await expectGrantError(
      await tokenRequest(s.app, redeem(flow), flow.client),
      "The authorization code is invalid, expired or already used",
    )
    const refresh = { grant_type: "refresh_token", refresh_token: first.refresh_token ?? "" }
    await expectGrantError(await tokenRequest(s.app, refresh, flow.client))
  })

  test("an expired code → invalid_grant", async () => {
    await using s = await startSetup()
    const flow = await signIn(s.app, s.idp)
    s.advance(CODE_TTL_MS + 1000)
    await expectGrantError(await tokenRequest(s.app, redeem(flow), flow.client))
  })

  test("a redirect_uri that differs from (or leaves out) the authorization request's → invalid_grant", async () => {
    await using s = await startSetup()
    const flow = await signIn(s.app, s.idp)
    await expectGrantError(
      await tokenRequest(s.app, redeem(flow, { redirect_uri: "https://client.example/other" }), flow.client),
      "redirect_uri does not match the authorization request",
    )
    const again = await signIn(s.app, s.idp, { client: flow.client })
    await expectGrantError(await tokenRequest(s.app, redeem(again, { redirect_uri: undefined }), flow.client))
  })

  test("a code redeemed by another client → invalid_grant", async () => {
    await using s = await startSetup()
    const flow = await signIn(s.app, s.idp)
    const other = await register(s.app)
    await expectGrantError(await tokenRequest(s.app, redeem(flow), other))
  })

  test("client authentication: unknown client, wrong or missing secret → 401 invalid_client, secret never echoed", async () => {
    await using s = await startSetup()
    const flow = await signIn(s.app, s.idp)
    const wrong = { client_id: flow.client.client_id, client_secret: "wrong-secret-value-123" }
    const basic = await tokenRequest(s.app, redeem(flow), wrong)
    expect(basic.status).toBe(401)
    expect(basic.headers.get("www-authenticate")).toBe('Basic realm="oauth"')
    const text = await basic.text()
    expect(JSON.parse(text)).toEqual({ error: "invalid_client", error_description: "Client authentication failed" })
    expect(text).not.toContain(wrong.client_secret)
    expect((await tokenRequest(s.app, redeem(flow), wrong, "post")).status).toBe(401)
    expect((await tokenRequest(s.app, redeem(flow), { client_id: flow.client.client_id }, "none")).status).toBe(401)
    const unknown = await tokenRequest(s.app, redeem(flow), { client_id: "nobody" }, "none")
    expect(unknown.status).toBe(401)
    expect(await unknown.json()).toMatchObject({ error: "invalid_client" })
    // The failed attempts did not spend the code.
    expect((await exchangeCode(s.app, flow)).access_token).toBeString()
  })

  test("malformed requests: grant types, content type, repeated parameters, resource", async () => {
    await using s = await startSetup()
    const flow = await signIn(s.app, s.idp)
    const error = async (res: Response) => ((await res.json()) as { error: string }).error
    expect(await error(await tokenRequest(s.app, { grant_type: "password" }, flow.client))).toBe(
      "unsupported_grant_type",
    )
    expect(await error(await tokenRequest(s.app, {}, flow.client))).toBe("invalid_request")
    const json = await s.app.request(`${BASE}/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(redeem(flow)),
    })
    expect(await error(json)).toBe("invalid_request")
    const repeated = await s.app.request(`${BASE}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `${new URLSearchParams(redeem(flow))}&code=again`,
    })
    expect(await error(repeated)).toBe("invalid_request")
    const target = await tokenRequest(s.app, redeem(flow, { resource: "https://other.example/mcp" }), flow.client)
    expect(await error(target)).toBe("invalid_target")
    const limited = await register(s.app, { grant_types: ["authorization_code"] })
    const refresh = await tokenRequest(s.app, { grant_type: "refresh_token", refresh_token: "x" }, limited)
    expect(await error(refresh)).toBe("unauthorized_client")
  })

  test("tokens used for the wrong purpose, or by the wrong client, are refused", async () => {
    await using s = await startSetup()
    const flow = await signIn(s.app, s.idp)
    const tokens = await exchangeCode(s.app, flow)
    expect((await listTools(s.app, tokens.refresh_token ?? "")).status).toBe(401)
    const asRefresh = await tokenRequest(
      s.app,
      { grant_type: "refresh_token", refresh_token: tokens.access_token },
      flow.client,
    )
    await expectGrantError(asRefresh)
    const refresh = { grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }
    await expectGrantError(await tokenRequest(s.app, refresh, await register(s.app)))
    // Another client's attempt did not spend it.
    expect((await tokenRequest(s.app, refresh, flow.client)).status).toBe(200)
    // The IdP's own tokens are not ours, even with our audience.
    expect((await listTools(s.app, await s.idp.mint({ claims: { aud: RESOURCE } }))).status).toBe(401)
  })
})

describe("start-up and limits", () => {
  test("discovery problems are start-up errors", async () => {
    for (const discovery of ["no-authorize", "error"] as const) {
      await using idp = await startFakeIdp({ discovery })
      await using dir = await tmpdir()
      const error = await startProxy(idp, dir).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConfigError)
      const problem = discovery === "error" ? "HTTP 500" : "it has no 'authorization_endpoint'"
      expect((error as Error).message).toBe(
        `Could not use the OIDC discovery document at ${idp.configUrl}: ${problem}.`,
      )
    }
  })

  test(`more than ${OAUTH_REQUESTS_PER_MINUTE} OAuth requests a minute from one address → 429`, async () => {
    await using s = await startSetup()
    for (let i = 0; i < OAUTH_REQUESTS_PER_MINUTE; i++) {
      expect((await postRegister(s.app, "{}")).status).toBe(400)
    }
    const limited = await s.app.request(`${BASE}/token`, { method: "POST" })
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/)
    expect((await browse(s.app, `${BASE}/authorize`, s.idp)).response?.status).toBe(429)
  })
})
