import type { Context } from "hono"
import { getCookie, setCookie } from "hono/cookie"
import type { ClientRecord } from "@/storage"
import { readLimitedText } from "../../body"
import { type ProxyContext, SIGN_IN_TTL_MS, type SignInRequest } from "./context"
import { oauthError, redirectTo } from "./responses"
import { matchesDigest, randomToken, singleParams } from "./util"

const MAX_BODY_BYTES = 4096
const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"

/*
 * Every dynamically registered client shares the server's one client id at the IdP, which may remember the
 * user's consent for it and sign them in without a page. Without our own consent step, anyone could register
 * a client and send a signed-in user a link that ends with a code at the stranger's redirect URI (the MCP
 * specification's "confused deputy"). So /authorize asks the user first, and each step after it is bound to
 * the browser that was asked, by a cookie: a link to the IdP copied from another browser leads nowhere.
 */

function cookieName(ctx: Pick<ProxyContext, "issuer">): string {
  return ctx.issuer.startsWith("https:") ? "__Host-oauth-browser" : "oauth-browser"
}

/** The browser's id from its cookie, or a new one; (re)sets the cookie for the length of a sign-in. */
export function browserId(c: Context, ctx: Pick<ProxyContext, "issuer">): string {
  const name = cookieName(ctx)
  const existing = getCookie(c, name)
  const id = existing !== undefined && BROWSER_ID.test(existing) ? existing : randomToken()
  const secure = ctx.issuer.startsWith("https:")
  setCookie(c, name, id, { path: "/", httpOnly: true, secure, sameSite: "Lax", maxAge: SIGN_IN_TTL_MS / 1000 })
  return id
}

/** Whether this request comes from the browser whose id hashes to `digest`. */
export function sameBrowser(c: Context, ctx: Pick<ProxyContext, "issuer">, digest: string): boolean {
  const id = getCookie(c, cookieName(ctx))
  return id !== undefined && matchesDigest(id, digest)
}

/** Keeps the request until the user answers, and shows them who is asking and where the sign-in will go. */
export function askConsent(c: Context, ctx: ProxyContext, client: ClientRecord, request: SignInRequest): Response {
  const id = randomToken()
  ctx.consents.set(id, request)
  const name = typeof client.metadata.client_name === "string" ? client.metadata.client_name : undefined
  const server = new URL(ctx.issuer).host
  const target = new URL(request.redirectUri)
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Allow access to ${escapeHtml(server)}?</title>
<style>body{font-family:system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
code{word-break:break-all}button{font-size:1rem;padding:.5rem 1.5rem;margin:.5rem .5rem 0 0}</style></head>
<body><h1>Allow access to ${escapeHtml(server)}?</h1>
<p>${name === undefined ? "An application that gave no name" : `The application <strong>${escapeHtml(name)}</strong> (its own name for itself)`}
asks to use this server on your behalf. After you sign in, its access goes to
<strong>${escapeHtml(target.host)}</strong>:</p>
<p><code>${escapeHtml(request.redirectUri)}</code></p>
<p>Permissions: <code>${escapeHtml(request.scopes.join(" "))}</code></p>
<p>Allow only if you started this sign-in yourself, from an application you trust.</p>
<form method="post" action="${escapeHtml(`${ctx.issuer}/authorize/consent`)}">
<input type="hidden" name="consent_id" value="${id}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>
`
  c.header("cache-control", "no-store")
  c.header("content-security-policy", PAGE_CSP)
  // Under the site-wide `no-referrer`, browsers post this form with `Origin: null`, which the host guard
  // refuses; `same-origin` sends our origin on the post and still nothing to other sites.
  c.header("referrer-policy", "same-origin")
  return c.html(html)
}

/**
 * POST /authorize/consent: the user's answer. Only the browser that was shown the page may give it, once;
 * approval goes on to the IdP (`upstream`), denial back to the client with access_denied.
 */
export function consentHandler(ctx: ProxyContext, upstream: (c: Context, request: SignInRequest) => Response) {
  return async (c: Context) => {
    const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase()
    const text = type === "application/x-www-form-urlencoded" ? await readLimitedText(c.req.raw, MAX_BODY_BYTES) : ""
    const form = singleParams(new URLSearchParams(text ?? ""))
    const id = form.ok ? form.get("consent_id") : undefined
    const request = id === undefined ? undefined : ctx.consents.take(id)
    if (!form.ok || !request) {
      return oauthError(c, "invalid_request", "Unknown or expired consent request; start again from your MCP client")
    }
    if (!sameBrowser(c, ctx, request.browser)) {
      ctx.log.warning("Refused a consent answer from another browser than the one asked", {
        client_id: request.clientId,
      })
      return oauthError(
        c,
        "invalid_request",
        "This consent was asked in another browser; start again from your MCP client",
      )
    }
    const decision = form.get("decision")
    if (decision === "approve") return upstream(c, request)
    if (decision !== "deny") return oauthError(c, "invalid_request", "decision must be approve or deny")
    ctx.log.info("The user denied a client access", { client_id: request.clientId })
    const error = { error: "access_denied", error_description: "The user denied access", state: request.state }
    return redirectTo(c, request.redirectUri, { ...error, iss: ctx.issuer }, 303)
  }
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch)
}
