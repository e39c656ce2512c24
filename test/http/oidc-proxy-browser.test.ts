import { describe, expect, test } from "bun:test"
import type { Hono } from "hono"
import { CHROMIUM_PATH, chromiumPath, launchChromium } from "../browser/chromium"
import { startFakeIdp } from "../fixture/fake-idp"
import { tmpdir } from "../fixture/tmpdir"
import { STATE_DEADLINE_MS, TEST_TIMEOUT_MS } from "../helpers/wait"
import { pkce, startProxy } from "./oidc-proxy-harness"

const suite = chromiumPath ? describe : describe.skip
if (!chromiumPath) console.warn(`\n⚠ SKIPPED the oidc-proxy browser test: no Chromium at ${CHROMIUM_PATH}\n`)

/** The server's own name for the browser; the IdP stays on 127.0.0.1, so its redirect back is cross-site. */
const HOST = "mcp.test"

suite("oidc-proxy in a real browser", () => {
  test(
    "Chromium shows the consent page, posts the approval with its cookie and Origin, and lands with a code",
    async () => {
      await using idp = await startFakeIdp()
      await using dir = await tmpdir()
      const landed: URL[] = []
      using client = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch: (req) => {
          landed.push(new URL(req.url))
          return new Response("signed in")
        },
      })
      let app: Hono | undefined
      using server = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch: (req, srv) => (app ? app.fetch(req, srv) : new Response("starting", { status: 503 })),
      })
      const base = `http://${HOST}:${server.port}`
      await using proxy = await startProxy(idp, dir, { baseUrl: base })
      app = proxy.app
      const browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`])
      try {
        const callback = `http://127.0.0.1:${client.port}/cb`
        const registration = await app.request(`${base}/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            redirect_uris: [callback],
            client_name: "Browser test",
            token_endpoint_auth_method: "none",
          }),
        })
        const { client_id: clientId } = (await registration.json()) as { client_id: string }
        const { verifier, challenge } = pkce()
        const query = new URLSearchParams({
          response_type: "code",
          client_id: clientId,
          redirect_uri: callback,
          code_challenge: challenge,
          code_challenge_method: "S256",
          state: "browser-state",
        })
        const page = await browser.newPage()
        page.setDefaultTimeout(STATE_DEADLINE_MS)
        await page.goto(`${base}/authorize?${query}`)
        expect(await page.title()).toBe(`Allow access to ${HOST}:${server.port}?`)
        expect(await page.locator("strong").first().textContent()).toBe("Browser test")
        await page.getByRole("button", { name: "Allow" }).click()
        await page.waitForURL(`${callback}?*`).catch(() => undefined)
        // Where the browser stopped, and what it said there, if not at the client.
        expect(`${page.url()} ${page.url().startsWith(callback) ? "" : await page.content()}`).toStartWith(
          `${callback}?`,
        )

        // The client saw the redirect (Chromium may also ask it for /favicon.ico afterwards).
        const back = landed.findLast((url) => url.pathname === "/cb")
        expect(back?.href).toBe(page.url())
        expect(back?.searchParams.get("state")).toBe("browser-state")
        expect(back?.searchParams.get("iss")).toBe(base)
        const form = { grant_type: "authorization_code", client_id: clientId, code_verifier: verifier }
        const token = await app.request(`${base}/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ ...form, code: back?.searchParams.get("code") ?? "", redirect_uri: callback }),
        })
        expect(token.status).toBe(200)
        expect(((await token.json()) as { access_token: string }).access_token).toBeString()
      } finally {
        await browser.close()
      }
    },
    TEST_TIMEOUT_MS,
  )
})
