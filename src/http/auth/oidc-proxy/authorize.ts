import type { Context } from "hono"
import { askConsent, browserId, sameBrowser } from "./consent"
import { type ProxyContext, resourceMatches, type SignInRequest, type Transaction } from "./context"
import { matchRedirectUri } from "./register"
import { oauthError, redirectTo } from "./responses"
import { PKCE_S256_CHALLENGE, printable, randomToken, s256, sha256, singleParams, splitScopes } from "./util"

const MAX_STATE_CHARS = 2048
/** Scopes that only govern our own tokens; the IdP is asked for `openid` and the rest. */
const LOCAL_SCOPES = new Set(["offline_access"])

/**
 * GET /authorize (RFC 6749 §4.1.1 with PKCE S256 required). An unknown client or redirect URI is answered
 * here (400), never redirected; every later problem goes back to the client's redirect URI. On success the
 * user is asked to consent (see consent.ts), then the browser goes on to the IdP (`redirectUpstream`).
 */
export function authorizeHandler(ctx: ProxyContext) {
  return async (c: Context) => {
    const params = singleParams(new URL(c.req.url).searchParams)
    if (!params.ok) return oauthError(c, "invalid_request", `The parameter ${params.repeated} is repeated`)
    const clientId = params.get("client_id")
    const client = clientId === undefined ? undefined : await ctx.store.getClient(clientId)
    if (!client) {
      const problem = clientId === undefined ? "client_id is missing" : "Unknown client_id: register the client again"
      return oauthError(c, clientId === undefined ? "invalid_request" : "invalid_client", problem)
    }
    const given = params.get("redirect_uri")
    const redirectUri =
      given === undefined ? soleUri(client.redirectUris) : matchRedirectUri(client.redirectUris, given)
    if (redirectUri === undefined) {
      const problem =
        given === undefined ? "redirect_uri is required" : "redirect_uri is not registered for this client"
      return oauthError(c, "invalid_request", problem)
    }

    const state = params.get("state")
    const fail = (error: Parameters<typeof oauthError>[1], description: string) =>
      redirectTo(c, redirectUri, { error, error_description: description, state, iss: ctx.issuer })
    if (state !== undefined && state.length > MAX_STATE_CHARS) {
      return redirectTo(c, redirectUri, {
        error: "invalid_request",
        error_description: "state is too long",
        iss: ctx.issuer,
      })
    }
    if (params.get("response_type") !== "code") return fail("unsupported_response_type", "response_type must be code")
    if (!client.grantTypes.includes("authorization_code")) {
      return fail("unauthorized_client", "This client did not register the authorization_code grant")
    }
    const challenge = params.get("code_challenge")
    if (challenge === undefined) return fail("invalid_request", "code_challenge is required (PKCE with S256)")
    if (params.get("code_challenge_method") !== "S256")
      return fail("invalid_request", "code_challenge_method must be S256")
    if (!PKCE_S256_CHALLENGE.test(challenge)) return fail("invalid_request", "code_challenge is not an S256 challenge")
    if (!resourceMatches(ctx, params.get("resource"))) return fail("invalid_target", `resource must be ${ctx.resource}`)
    const scopes = grantedScopes(ctx, params.get("scope"), client.scope)
    if (typeof scopes === "string") return fail("invalid_scope", scopes)

    const request: SignInRequest = {
      clientId: client.clientId,
      redirectUri,
      redirectUriGiven: given !== undefined,
      codeChallenge: challenge,
      scopes,
      browser: sha256(browserId(c, ctx)),
    }
    if (state !== undefined) request.state = state
    return askConsent(c, ctx, client, request)
  }
}

/** After consent: stores the sign-in under a fresh `state` and sends the browser to the IdP (303). */
export function redirectUpstream(ctx: ProxyContext) {
  return (c: Context, request: SignInRequest): Response => {
    const upstreamState = randomToken()
    const upstreamVerifier = randomToken()
    const nonce = randomToken()
    const transaction: Transaction = { ...request, upstreamVerifier, nonce }
    ctx.transactions.set(upstreamState, transaction)
    const upstreamScopes = ["openid", ...request.scopes.filter((s) => s !== "openid" && !LOCAL_SCOPES.has(s))]
    const url = ctx.upstream.authorizeUrl({
      state: upstreamState,
      nonce,
      challenge: s256(upstreamVerifier),
      scopes: upstreamScopes,
    })
    c.header("cache-control", "no-store")
    return c.redirect(url, 303)
  }
}

/** The sign-in's scopes less those the IdP did not grant; `openid` (it signed the user in) and ours stay. */
function keptScopes(asked: string[], granted: string[] | undefined): string[] {
  if (granted === undefined) return asked
  return asked.filter((s) => s === "openid" || LOCAL_SCOPES.has(s) || granted.includes(s))
}

function soleUri(uris: readonly string[]): string | undefined {
  return uris.length === 1 ? uris[0] : undefined
}

/**
 * The requested scopes (else the registered ones, else `openid`) plus the required ones; each must be
 * supported and, when the client registered a scope, registered. A string is the refusal.
 */
function grantedScopes(ctx: ProxyContext, requested: string | undefined, registered: string | undefined) {
  const asked = splitScopes(requested ?? registered ?? "openid")
  const allowed = new Set([...(registered ? splitScopes(registered) : ctx.scopesSupported), ...ctx.requiredScopes])
  const refused = asked.filter((s) => !allowed.has(s))
  if (refused.length > 0) return `Scope ${refused.join(" ")} is not available; allowed: ${[...allowed].join(" ")}`
  return [...new Set([...asked, ...ctx.requiredScopes])]
}

/** Upstream authorization errors passed on as they are; anything else becomes server_error. */
const PASSED_ON = new Set(["access_denied", "temporarily_unavailable", "invalid_scope"])
/** OIDC errors that mean the user did not (or could not) sign in. */
const DENIED = new Set(["login_required", "consent_required", "interaction_required", "account_selection_required"])

/**
 * GET /auth/callback: the IdP sends the browser back here. The sign-in in progress is found by `state`
 * (single use), the IdP's code is redeemed and its token verified; then the client gets our own one-time
 * code at its redirect URI.
 */
export function callbackHandler(ctx: ProxyContext) {
  return async (c: Context) => {
    const params = singleParams(new URL(c.req.url).searchParams)
    const upstreamState = params.ok ? params.get("state") : undefined
    const txn = upstreamState === undefined ? undefined : ctx.transactions.take(upstreamState)
    if (!params.ok || !txn) {
      return oauthError(c, "invalid_request", "Unknown or expired sign-in; start again from your MCP client")
    }
    if (!sameBrowser(c, ctx, txn.browser)) {
      ctx.log.warning("Refused a sign-in that came back to another browser than the one that approved it", {
        client_id: txn.clientId,
      })
      return oauthError(
        c,
        "invalid_request",
        "This sign-in was started in another browser; start again from your MCP client",
      )
    }
    const back = (values: Record<string, string | undefined>) =>
      redirectTo(c, txn.redirectUri, { ...values, state: txn.state, iss: ctx.issuer })
    const upstreamError = params.get("error")
    if (upstreamError !== undefined) {
      const error = PASSED_ON.has(upstreamError)
        ? upstreamError
        : DENIED.has(upstreamError)
          ? "access_denied"
          : "server_error"
      ctx.log.info("Sign-in refused by the identity provider", {
        client_id: txn.clientId,
        error: printable(upstreamError, 64),
      })
      return back({ error, error_description: "The identity provider did not complete the sign-in" })
    }
    const code = params.get("code")
    if (code === undefined) {
      return back({ error: "server_error", error_description: "The identity provider sent no authorization code" })
    }
    const result = await ctx.upstream.exchange(code, txn.upstreamVerifier, txn.nonce)
    if (!result.ok) {
      ctx.log.warning("Sign-in failed at the identity provider step", {
        client_id: txn.clientId,
        reason: result.reason,
      })
      return back({
        error: "server_error",
        error_description: "The sign-in could not be verified with the identity provider",
      })
    }
    const { clientId, redirectUri, redirectUriGiven, codeChallenge } = txn
    const scopes = keptScopes(txn.scopes, result.granted)
    const missing = ctx.requiredScopes.filter((s) => !scopes.includes(s))
    if (missing.length > 0) {
      const description = `The identity provider did not grant the required scope ${missing.join(" ")}`
      ctx.log.info("Sign-in refused", { client_id: clientId, subject: result.subject, reason: description })
      return back({ error: "access_denied", error_description: description })
    }
    const ours = randomToken()
    ctx.codes.set(ours, { clientId, redirectUri, redirectUriGiven, codeChallenge, scopes, subject: result.subject })
    ctx.log.info("Signed in through the identity provider", { client_id: clientId, subject: result.subject })
    return back({ code: ours })
  }
}
