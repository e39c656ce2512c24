import { afterEach, describe, expect, test } from "bun:test"
import { SIGN_IN_TTL_MS } from "@/http/auth/oidc-proxy"
import {
  authorizeAndApprove,
  authorizeUrl,
  BASE,
  browse,
  consentId,
  decide,
  newBrowser,
  pkce,
  register,
  resetLogs,
  startSetup,
  tokenRequest,
  visit,
} from "./oidc-proxy-harness"

afterEach(resetLogs)

const ATTACKER_CALLBACK = "https://attacker.example/cb"

/** A client anyone could register, and a sign-in link for it whose PKCE verifier its author keeps. */
async function attackerLink(app: Parameters<typeof register>[0], name = "Image Helper") {
  const client = await register(app, { redirect_uris: [ATTACKER_CALLBACK], client_name: name })
  const { verifier, challenge } = pkce()
  const url = authorizeUrl(client.client_id, {
    redirect_uri: ATTACKER_CALLBACK,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "attacker-state",
  })
  return { client, verifier, url }
}

describe("oidc-proxy: consent for each dynamically registered client (confused deputy)", () => {
  test("a sign-in link for someone else's client stops at a consent page; the IdP is not reached silently", async () => {
    await using s = await startSetup()
    const { url } = await attackerLink(s.app, `<script>alert("x")</script> Image Helper`)
    const victim = newBrowser()
    const res = await visit(s.app, victim, url)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toStartWith("text/html")
    expect(res.headers.get("cache-control")).toBe("no-store")
    expect(res.headers.get("x-frame-options")).toBe("DENY")
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'")
    // Browsers post the form with our Origin only under this policy (no-referrer makes it "null").
    expect(res.headers.get("referrer-policy")).toBe("same-origin")
    const page = await res.text()
    expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Image Helper")
    expect(page).not.toContain("<script>")
    expect(page).toContain(ATTACKER_CALLBACK)
    expect(page).toContain("attacker.example")
    expect(page).toContain(`action="${BASE}/authorize/consent"`)
    expect(s.idp.authorizeRequests).toHaveLength(0)
  })

  test("an IdP link from a sign-in approved in another browser is refused at the callback, without a redirect", async () => {
    await using s = await startSetup()
    const { client, verifier, url } = await attackerLink(s.app)
    // The attacker approves the consent in their own browser and keeps the link to the IdP…
    const toIdp = (await authorizeAndApprove(s.app, url, newBrowser())).headers.get("location") ?? ""
    expect(toIdp).toStartWith(`${s.idp.origin}/authorize?`)
    // …and gets a signed-in victim to open it: the IdP sends the victim's browser back to our callback.
    const { landed, response } = await browse(s.app, toIdp, s.idp, newBrowser())
    expect(landed).toBeUndefined()
    expect(response?.status).toBe(400)
    expect(response?.headers.get("location")).toBeNull()
    expect(await response?.json()).toEqual({
      error: "invalid_request",
      error_description: "This sign-in was started in another browser; start again from your MCP client",
    })
    // Had a code been issued, this is where the attacker would cash it in.
    const guess = {
      grant_type: "authorization_code",
      code: "x",
      code_verifier: verifier,
      redirect_uri: ATTACKER_CALLBACK,
    }
    expect((await tokenRequest(s.app, guess, client)).status).toBe(400)
  })

  test("deny → access_denied at the client with its state; the IdP is never asked", async () => {
    await using s = await startSetup()
    const { url } = await attackerLink(s.app)
    const { landed } = await browse(s.app, url, s.idp, newBrowser(), "deny")
    expect(`${landed?.origin}${landed?.pathname}`).toBe(ATTACKER_CALLBACK)
    expect(landed?.searchParams.get("error")).toBe("access_denied")
    expect(landed?.searchParams.get("state")).toBe("attacker-state")
    expect(landed?.searchParams.get("iss")).toBe(BASE)
    expect(landed?.searchParams.get("code")).toBeNull()
    expect(s.idp.authorizeRequests).toHaveLength(0)
  })

  test("an approval only counts from the browser that was shown the page, once, within the sign-in time", async () => {
    await using s = await startSetup()
    const { url } = await attackerLink(s.app)
    const user = newBrowser()
    const id = (await consentId(await visit(s.app, user, url))) ?? ""
    expect(id.length).toBeGreaterThanOrEqual(43)

    // Another browser (a forged form post carrying the id) gets nowhere, and spends the request.
    const forged = await decide(s.app, newBrowser(), id, "approve")
    expect(forged.status).toBe(400)
    expect(forged.headers.get("location")).toBeNull()
    expect(((await forged.json()) as { error: string }).error).toBe("invalid_request")
    expect((await decide(s.app, user, id, "approve")).status).toBe(400)

    // A cross-site form post is refused before it is looked at.
    const id2 = (await consentId(await visit(s.app, user, url))) ?? ""
    const crossSite = await s.app.request(`${BASE}/authorize/consent`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://attacker.example" },
      body: new URLSearchParams({ consent_id: id2, decision: "approve" }).toString(),
    })
    expect(crossSite.status).toBe(403)

    // Stale, unknown, or malformed answers.
    s.advance(SIGN_IN_TTL_MS + 1000)
    expect((await decide(s.app, user, id2, "approve")).status).toBe(400)
    expect((await decide(s.app, user, "no-such-request", "approve")).status).toBe(400)
    const id3 = (await consentId(await visit(s.app, user, url))) ?? ""
    const odd = await decide(s.app, user, id3, "maybe" as "approve")
    expect(await odd.json()).toEqual({
      error: "invalid_request",
      error_description: "decision must be approve or deny",
    })
    expect(s.idp.authorizeRequests).toHaveLength(0)
  })

  test("the user's own approval goes on to the IdP (303) and, back at the callback, to the client with a code", async () => {
    await using s = await startSetup()
    const { url } = await attackerLink(s.app, "My MCP client")
    const user = newBrowser()
    const approved = await authorizeAndApprove(s.app, url, user)
    expect(approved.status).toBe(303)
    expect(approved.headers.get("cache-control")).toBe("no-store")
    const { landed } = await browse(s.app, approved.headers.get("location") ?? "", s.idp, user)
    expect(landed?.searchParams.get("code")).toBeString()
    expect(landed?.searchParams.get("state")).toBe("attacker-state")
  })
})
