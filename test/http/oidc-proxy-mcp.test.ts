import { afterEach, expect, test } from "bun:test"
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js"
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { OAuthClientInformationMixed, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js"
import type { Hono } from "hono"
import { startFakeIdp } from "../fixture/fake-idp"
import { tmpdir } from "../fixture/tmpdir"
import { captureLogs, claimsOf, resetLogs, startProxy } from "./oidc-proxy-harness"

afterEach(resetLogs)

/** What an MCP client app keeps: its registration, tokens and PKCE verifier; the browser step is recorded. */
class MemoryOAuthProvider implements OAuthClientProvider {
  readonly redirectUrl = "http://127.0.0.1:9/oauth/callback"
  information?: OAuthClientInformationMixed
  saved?: OAuthTokens
  verifier = ""
  authorizationUrl?: URL
  get clientMetadata() {
    return { client_name: "SDK test client", redirect_uris: [this.redirectUrl] }
  }
  clientInformation() {
    return this.information
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.information = info
  }
  tokens() {
    return this.saved
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier
  }
  codeVerifier() {
    return this.verifier
  }
}

/**
 * The user's browser over real HTTP: keeps the cookies our server sets, answers our consent page with
 * "Allow" (a form post from our origin), and follows redirects until it reaches the client's redirect URL.
 * Returns where it landed and the consent pages it was shown.
 */
async function browse(from: URL, until: string, ours: string): Promise<{ landed: URL; consentPages: string[] }> {
  const cookies = new Map<string, string>()
  const consentPages: string[] = []
  const request = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (url.startsWith(ours) && cookies.size > 0) {
      headers.set("cookie", [...cookies].map(([name, value]) => `${name}=${value}`).join("; "))
    }
    const res = await fetch(url, { ...init, headers, redirect: "manual" })
    if (url.startsWith(ours)) {
      for (const line of res.headers.getSetCookie()) {
        const pair = line.split(";")[0] ?? ""
        cookies.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1))
      }
    }
    return res
  }
  let next = from.href
  for (let hop = 0; hop < 8 && !next.startsWith(until); hop++) {
    let res = await request(next)
    if (res.status === 200 && res.headers.get("content-type")?.startsWith("text/html")) {
      const page = await res.text()
      consentPages.push(page)
      const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1] ?? ""
      const id = /name="consent_id" value="([^"]+)"/.exec(page)?.[1] ?? ""
      res = await request(action, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: ours },
        body: new URLSearchParams({ consent_id: id, decision: "approve" }).toString(),
      })
    }
    const location = res.headers.get("location")
    if (location === null) throw new Error(`stopped at ${res.status}: ${await res.text()}`)
    next = new URL(location, next).href
  }
  return { landed: new URL(next), consentPages }
}

test("an MCP SDK client signs in through the proxy over real HTTP, lists tools, and refreshes once its token expires", async () => {
  await using idp = await startFakeIdp()
  await using dir = await tmpdir()
  let app: Hono | undefined
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    fetch: (req, srv) => (app ? app.fetch(req, srv) : new Response("starting", { status: 503 })),
  })
  const base = `http://127.0.0.1:${server.port}`
  let offset = 0
  await using proxy = await startProxy(idp, dir, { baseUrl: base, deps: { clock: () => Date.now() + offset } })
  app = proxy.app
  const lines = captureLogs()
  try {
    const provider = new MemoryOAuthProvider()
    const url = new URL(`${base}/mcp`)
    const first = new Client({ name: "oauth-test", version: "1.0.0" })
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider })
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError)
    expect(provider.information?.client_id).toBeString()
    expect(provider.authorizationUrl?.href).toStartWith(`${base}/authorize?`)

    const { landed, consentPages } = await browse(provider.authorizationUrl as URL, provider.redirectUrl, base)
    expect(consentPages).toHaveLength(1)
    expect(consentPages[0]).toContain("<strong>SDK test client</strong>")
    expect(consentPages[0]).toContain(provider.redirectUrl)
    expect(landed.searchParams.get("iss")).toBe(base)
    // The SDK asked for this server as the resource, with PKCE S256.
    expect(provider.authorizationUrl?.searchParams.get("resource")).toBe(`${base}/mcp`)
    expect(provider.authorizationUrl?.searchParams.get("code_challenge_method")).toBe("S256")
    await transport.finishAuth(landed.searchParams.get("code") ?? "")
    const issued = provider.saved
    expect(claimsOf(issued?.access_token ?? "")).toMatchObject({ iss: base, aud: `${base}/mcp`, sub: "user-123" })

    const client = new Client({ name: "oauth-test", version: "1.0.0" })
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }))
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("list_providers")

    // Two hours later the access token has expired: the SDK gets 401, refreshes (rotation) and retries.
    offset = 2 * 3600 * 1000
    expect((await client.listTools()).tools.length).toBeGreaterThan(0)
    expect(provider.saved?.access_token).not.toBe(issued?.access_token)
    expect(provider.saved?.refresh_token).not.toBe(issued?.refresh_token)
    await client.close()
    expect(lines.join("\n")).not.toContain(issued?.refresh_token ?? "absent")
  } finally {
    await server.stop(true)
  }
})
