import { describe, expect, test } from "bun:test"
import { Hono } from "hono"
import { type Config, ConfigError, loadConfig } from "@/config/config"
import { createAuth, getIdentity, NO_AUTH_WARNING, type OidcProviderOptions, resolveAuthMode } from "@/http/auth"
import { startFakeIdp } from "../fixture/fake-idp"

const P = "IMAGE_GENERATION_MCP_"
const OIDC = {
  BASE_URL: "https://mcp.example.test",
  OIDC_CONFIG_URL: "https://idp.example.test/.well-known/openid-configuration",
}
const CREDS = { OIDC_CLIENT_ID: "client", OIDC_CLIENT_SECRET: "client-secret-value" }

function load(vars: Record<string, string>): { config: Config; warnings: string[] } {
  return loadConfig(Object.fromEntries(Object.entries(vars).map(([k, v]) => [P + k, v])), "/home/u")
}

describe("auth mode resolution (docs/decisions.md#auth-modes)", () => {
  const cases: [string, Record<string, string>, object][] = [
    ["nothing → none", {}, { mode: "none", requiredScopes: [] }],
    ["BEARER_TOKEN → bearer-single", { BEARER_TOKEN: "tok" }, { mode: "bearer-single", bearer: "single" }],
    ["BEARER_TOKENS_FILE → bearer-mapped", { BEARER_TOKENS_FILE: "/t.toml" }, { mode: "bearer-mapped" }],
    ["token file wins over a token", { BEARER_TOKENS_FILE: "/t.toml", BEARER_TOKEN: "tok" }, { mode: "bearer-mapped" }],
    ["BASE_URL + OIDC_CONFIG_URL → remote", OIDC, { mode: "remote", oidc: "remote", requiredScopes: [] }],
    [
      "remote keeps the configured scopes",
      { ...OIDC, OIDC_REQUIRED_SCOPES: "mcp, read  write" },
      { mode: "remote", requiredScopes: ["mcp", "read", "write"] },
    ],
    ["with client credentials → oidc-proxy", { ...OIDC, ...CREDS }, { mode: "oidc-proxy", requiredScopes: ["openid"] }],
    ["OIDC_CONFIG_URL without BASE_URL → none", { OIDC_CONFIG_URL: OIDC.OIDC_CONFIG_URL }, { mode: "none" }],
    ["one client credential → remote", { ...OIDC, OIDC_CLIENT_ID: "client" }, { mode: "remote" }],
    [
      "bearer + OIDC → multi without required scopes",
      { ...OIDC, BEARER_TOKEN: "tok", OIDC_REQUIRED_SCOPES: "openid mcp" },
      { mode: "multi", bearer: "single", oidc: "remote", requiredScopes: [] },
    ],
    ["explicit remote beats detected oidc-proxy", { ...OIDC, ...CREDS, AUTH_MODE: "remote" }, { mode: "remote" }],
    ["AUTH_MODE is case/space-insensitive", { ...OIDC, ...CREDS, AUTH_MODE: " OIDC-Proxy " }, { mode: "oidc-proxy" }],
    [
      "explicit oidc-proxy + mapped tokens → multi",
      { ...OIDC, ...CREDS, AUTH_MODE: "oidc-proxy", BEARER_TOKENS_FILE: "/t.toml" },
      { mode: "multi", bearer: "mapped", oidc: "oidc-proxy", requiredScopes: [] },
    ],
  ]
  test.each(cases)("%s", (_name, vars, expected) => {
    expect(resolveAuthMode(load(vars).config)).toMatchObject(expected)
  })

  test("none warns that connections are unauthenticated", () => {
    expect(resolveAuthMode(load({}).config).warnings).toEqual([NO_AUTH_WARNING])
  })

  test("conflicting or incomplete settings warn", () => {
    const both = resolveAuthMode(load({ BEARER_TOKENS_FILE: "/t.toml", BEARER_TOKEN: "tok" }).config)
    expect(both.warnings).toEqual([`${P}BEARER_TOKENS_FILE is set, so ${P}BEARER_TOKEN is ignored.`])
    const noBase = resolveAuthMode(load({ OIDC_CONFIG_URL: OIDC.OIDC_CONFIG_URL }).config)
    expect(noBase.warnings[0]).toContain("BASE_URL is not: OIDC auth stays off")
    const half = resolveAuthMode(load({ ...OIDC, OIDC_CLIENT_SECRET: "s3cret-value" }).config)
    expect(half.warnings).toEqual([
      `${P}OIDC_CLIENT_SECRET is set alone; the oidc-proxy mode needs both, using remote mode.`,
    ])
  })

  test("an invalid AUTH_MODE warns and the mode is detected", () => {
    const { config, warnings } = load({ ...OIDC, AUTH_MODE: "kerberos" })
    expect(warnings).toEqual([
      `${P}AUTH_MODE="kerberos" is not valid; using the default (detected from the other settings).`,
    ])
    expect(resolveAuthMode(config).mode).toBe("remote")
  })

  test("an explicit AUTH_MODE without its settings is a start-up error naming them", () => {
    expect(() => resolveAuthMode(load({ AUTH_MODE: "remote" }).config)).toThrow(
      new ConfigError(`${P}AUTH_MODE=remote needs ${P}BASE_URL and ${P}OIDC_CONFIG_URL to be set.`),
    )
    expect(() => resolveAuthMode(load({ ...OIDC, AUTH_MODE: "oidc-proxy" }).config)).toThrow(
      `needs ${P}OIDC_CLIENT_ID and ${P}OIDC_CLIENT_SECRET to be set`,
    )
  })
})

describe("createAuth", () => {
  test("mode none lets everything through as 'local' and serves no metadata", async () => {
    const auth = await createAuth(load({}).config)
    expect(auth.mode).toBe("none")
    const app = new Hono()
    auth.routes(app)
    app.use("/mcp", auth.middleware)
    app.all("/mcp", (c) => c.json(getIdentity(c)))
    const res = await app.request("/mcp", { method: "POST" })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ subject: "local", scopes: ["read", "write"], method: "none" })
    expect((await app.request("/.well-known/oauth-protected-resource/mcp")).status).toBe(404)
  })

  test("oidc-proxy is built in: it reads the IdP's discovery document at start-up and fails when it cannot", async () => {
    await using idp = await startFakeIdp({ discovery: "error" })
    const error = await createAuth(load({ ...OIDC, ...CREDS, OIDC_CONFIG_URL: idp.configUrl }).config).catch((e) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toBe(`Could not use the OIDC discovery document at ${idp.configUrl}: HTTP 500.`)
  })

  test("oidc-proxy plugs in through deps.oidcProxy: its verifier, routes and authorization server are used", async () => {
    let received: OidcProviderOptions | undefined
    const auth = await createAuth(load({ ...OIDC, ...CREDS }).config, {
      oidcProxy: async (_config, options) => {
        received = options
        return {
          verifier: {
            verify: async (token) =>
              token === "proxy-token"
                ? { ok: true, identity: { subject: "alice", scopes: ["openid"], method: "jwt" } }
                : { ok: false, error: "invalid_token", reason: "nope" },
          },
          authorizationServers: [OIDC.BASE_URL],
          scopesSupported: ["openid"],
          requiredScopes: options.requiredScopes,
          routes: (app) => app.get("/authorize", (c) => c.text("authorize")),
        }
      },
    })
    expect(auth.mode).toBe("oidc-proxy")
    expect(received?.requiredScopes).toEqual(["openid"])
    const app = new Hono()
    auth.routes(app)
    app.use("/mcp", auth.middleware)
    app.all("/mcp", (c) => c.json(getIdentity(c)))
    expect(await (await app.request("/authorize")).text()).toBe("authorize")
    const meta = await (await app.request("/.well-known/oauth-protected-resource/mcp")).json()
    expect(meta).toMatchObject({ resource: `${OIDC.BASE_URL}/mcp`, authorization_servers: [OIDC.BASE_URL] })
    const ok = await app.request("/mcp", { headers: { authorization: "Bearer proxy-token" } })
    expect(await ok.json()).toMatchObject({ subject: "alice" })
    const bad = await app.request("/mcp", { headers: { authorization: "Bearer other" } })
    expect(bad.status).toBe(401)
    expect(bad.headers.get("www-authenticate")).toContain('scope="openid"')
  })
})
