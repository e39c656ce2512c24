import { createHash } from "node:crypto"
import type { Hono } from "hono"
import type { Config } from "@/config/config"
import { createHttpApp } from "@/http/app"
import { type AuthDeps, createAuth } from "@/http/auth"
import { configureLogger } from "@/util/log"
import { FAKE_CLIENT, type FakeIdp, type FakeIdpSettings, startFakeIdp } from "../fixture/fake-idp"
import { type TempDir, tmpdir } from "../fixture/tmpdir"
import { startServices } from "../helpers/services"
import { INITIALIZE, LIST_TOOLS, post } from "./helpers"

export const BASE = "https://mcp.example.test"
export const RESOURCE = `${BASE}/mcp`
export const CLIENT_CALLBACK = "https://client.example/oauth/callback"
export const SIGNING_KEY = "signing-key-for-tests-0123456789-abcdefghijklmnopqrstuvwxyz"

export interface Proxy {
  app: Hono
  config: Config
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * The real HTTP app (MCP endpoint included) in oidc-proxy mode against `idp`, its database in `dir`, so a
 * second proxy on the same dir is a restart. `baseUrl` (default BASE) is where a real server serves it.
 */
export async function startProxy(
  idp: FakeIdp,
  dir: TempDir,
  options: { vars?: Record<string, string>; deps?: AuthDeps; baseUrl?: string } = {},
): Promise<Proxy> {
  const env = await startServices({
    dir,
    env: prefixed({
      BASE_URL: options.baseUrl ?? BASE,
      OIDC_CONFIG_URL: idp.configUrl,
      OIDC_CLIENT_ID: FAKE_CLIENT.id,
      OIDC_CLIENT_SECRET: FAKE_CLIENT.secret,
      OIDC_JWT_SIGNING_KEY: SIGNING_KEY,
      ...options.vars,
    }),
  })
  const deps = { ...options.deps, storage: env.services.storage }
  const auth = await createAuth(env.config, deps).catch(async (error: unknown) => {
    await env[Symbol.asyncDispose]()
    throw error
  })
  const http = createHttpApp(env.services, { auth, events: false })
  return {
    app: http.app,
    config: env.config,
    async [Symbol.asyncDispose]() {
      await http.close()
      auth.close()
      await env[Symbol.asyncDispose]()
    },
  }
}

/** A fake IdP and a proxy in a temp dir whose clock `advance` moves forward; all disposed together. */
export async function startSetup(settings: Partial<FakeIdpSettings> = {}) {
  const idp = await startFakeIdp(settings)
  const dir = await tmpdir()
  let offset = 0
  const proxy = await startProxy(idp, dir, { deps: { clock: () => Date.now() + offset } })
  return {
    idp,
    app: proxy.app,
    advance(ms: number) {
      offset += ms
    },
    async [Symbol.asyncDispose]() {
      await proxy[Symbol.asyncDispose]()
      await dir[Symbol.asyncDispose]()
      await idp[Symbol.asyncDispose]()
    },
  }
}

export async function postRegister(app: Hono, body: string): Promise<Response> {
  return app.request(`${BASE}/register`, { method: "POST", headers: { "content-type": "application/json" }, body })
}

export function prefixed(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [`IMAGE_GENERATION_MCP_${k}`, v]))
}

export function pkce() {
  const verifier = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") }
}

export interface RegisteredClient {
  client_id: string
  client_secret?: string
  [field: string]: unknown
}

export async function register(app: Hono, metadata: Record<string, unknown> = {}): Promise<RegisteredClient> {
  const res = await app.request(`${BASE}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ redirect_uris: [CLIENT_CALLBACK], client_name: "Test client", ...metadata }),
  })
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as RegisteredClient
}

export function authorizeUrl(clientId: string, params: Record<string, string | undefined>): string {
  const url = new URL(`${BASE}/authorize`)
  const all = { response_type: "code", client_id: clientId, redirect_uri: CLIENT_CALLBACK, ...params }
  for (const [name, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(name, value)
  return url.href
}

/** A browser's cookies for our origin (the IdP's are not needed: the fake keeps no session). */
export interface Browser {
  cookies: Map<string, string>
}

export function newBrowser(): Browser {
  return { cookies: new Map() }
}

/** A request to our app as `browser`: its cookies sent, the answer's Set-Cookie kept. */
export async function visit(app: Hono, browser: Browser, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (browser.cookies.size > 0) {
    headers.set("cookie", [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; "))
  }
  const res = await app.request(url, { ...init, headers })
  for (const line of res.headers.getSetCookie()) {
    const [pair = "", ...attributes] = line.split(";")
    const eq = pair.indexOf("=")
    const name = pair.slice(0, eq).trim()
    if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) browser.cookies.delete(name)
    else browser.cookies.set(name, pair.slice(eq + 1).trim())
  }
  return res
}

/** The consent request id in a consent page, or undefined when `res` is not one. */
export async function consentId(res: Response): Promise<string | undefined> {
  if (res.status !== 200 || !res.headers.get("content-type")?.startsWith("text/html")) return undefined
  return /name="consent_id" value="([^"]+)"/.exec(await res.clone().text())?.[1]
}

/** Submits the consent page's form as the user would (from our own origin). */
export function decide(app: Hono, browser: Browser, id: string, decision: "approve" | "deny"): Promise<Response> {
  return visit(app, browser, `${BASE}/authorize/consent`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE },
    body: new URLSearchParams({ consent_id: id, decision }).toString(),
  })
}

/** GET /authorize as `browser`, approving on the consent page if one is shown: the answer that leads on. */
export async function authorizeAndApprove(app: Hono, url: string, browser: Browser = newBrowser()): Promise<Response> {
  const res = await visit(app, browser, url)
  const id = await consentId(res)
  return id === undefined ? res : decide(app, browser, id, "approve")
}

/**
 * A browser: follows redirects from `url` (our app by `app.request`, the IdP by real fetch) until it lands
 * outside both, returning where it landed; or the first answer that is not a redirect. On our consent page
 * it answers `decision` (approve by default).
 */
export async function browse(
  app: Hono,
  url: string,
  idp: FakeIdp,
  browser: Browser = newBrowser(),
  decision: "approve" | "deny" = "approve",
): Promise<{ landed?: URL; response?: Response }> {
  let next = url
  for (let hop = 0; hop < 8; hop++) {
    const ours = next.startsWith(`${BASE}/`)
    if (!ours && !next.startsWith(`${idp.origin}/`)) return { landed: new URL(next) }
    let res = ours ? await visit(app, browser, next) : await fetch(next, { redirect: "manual" })
    const id = ours ? await consentId(res) : undefined
    if (id !== undefined) res = await decide(app, browser, id, decision)
    const location = res.headers.get("location")
    if ((res.status !== 302 && res.status !== 303) || location === null) return { response: res }
    next = new URL(location, next).href
  }
  throw new Error("too many redirects")
}

export interface SignIn {
  client: RegisteredClient
  verifier: string
  state: string
  code: string
  landed: URL
}

/** Registers (unless given a client) and signs in through the fake IdP; fails unless a code comes back. */
export async function signIn(
  app: Hono,
  idp: FakeIdp,
  options: { client?: RegisteredClient; register?: Record<string, unknown>; params?: Record<string, string> } = {},
): Promise<SignIn> {
  const client = options.client ?? (await register(app, options.register))
  const { verifier, challenge } = pkce()
  const state = `state-${crypto.randomUUID()}`
  const url = authorizeUrl(client.client_id, {
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
    ...options.params,
  })
  const { landed, response } = await browse(app, url, idp)
  const code = landed?.searchParams.get("code")
  if (!landed || !code) {
    throw new Error(`no code: ${landed?.href ?? `${response?.status} ${await response?.text()}`}`)
  }
  return { client, verifier, state, code, landed }
}

/** POST /token with the client authenticating by Basic (default), in the body, or not at all. */
export async function tokenRequest(
  app: Hono,
  params: Record<string, string>,
  client?: Pick<RegisteredClient, "client_id" | "client_secret">,
  how: "basic" | "post" | "none" = "basic",
): Promise<Response> {
  const form = new URLSearchParams(params)
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" }
  if (client && how === "basic" && client.client_secret !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`
  } else if (client) {
    form.set("client_id", client.client_id)
    if (how === "post" && client.client_secret !== undefined) form.set("client_secret", client.client_secret)
  }
  return app.request(`${BASE}/token`, { method: "POST", headers, body: form.toString() })
}

export interface Tokens {
  access_token: string
  refresh_token?: string
  token_type: string
  expires_in: number
  scope: string
}

export async function exchangeCode(app: Hono, flow: SignIn): Promise<Tokens> {
  const params = {
    grant_type: "authorization_code",
    code: flow.code,
    code_verifier: flow.verifier,
    redirect_uri: CLIENT_CALLBACK,
  }
  const res = await tokenRequest(app, params, flow.client)
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as Tokens
}

export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>
}

/** initialize then tools/list on the MCP endpoint with `token`: the tools/list response (or the refusal). */
export async function listTools(app: Hono, token: string): Promise<Response> {
  const auth = { authorization: `Bearer ${token}` }
  const init = await app.request(`${BASE}/mcp`, post(INITIALIZE, auth))
  if (init.status !== 200) return init
  const session = init.headers.get("mcp-session-id") ?? ""
  await init.text()
  return app.request(`${BASE}/mcp`, post(LIST_TOOLS, { ...auth, "mcp-session-id": session }))
}

/** Collects log lines (JSON) until the end of the test file's `afterEach` resets the logger. */
export function captureLogs(): string[] {
  const lines: string[] = []
  configureLogger({ level: "debug", json: true, sink: (line) => lines.push(line) })
  return lines
}

export function resetLogs(): void {
  configureLogger({ level: "error", json: true, sink: (line) => process.stderr.write(`${line}\n`) })
}
