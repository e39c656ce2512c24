import type { Context } from "hono"
import type { ClientRecord } from "@/storage"
import { readLimitedText } from "../../body"
import { type ProxyContext, resourceMatches } from "./context"
import { noStoreJson, type OAuthErrorCode, oauthError } from "./responses"
import { matchesDigest, PKCE_VERIFIER, randomToken, s256, singleParams, splitScopes } from "./util"

const MAX_BODY_BYTES = 16 * 1024
const BASIC = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i

type Form = { get(name: string): string | undefined }
type Refusal = { error: OAuthErrorCode; description: string; basic?: boolean }

/**
 * POST /token (RFC 6749 §3.2): the authorization_code grant (PKCE checked, each code redeemed once) and the
 * refresh_token grant (rotation). Clients authenticate as they registered: none (public), or their secret by
 * HTTP Basic or in the body.
 */
export function tokenHandler(ctx: ProxyContext) {
  return async (c: Context) => {
    const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase()
    if (type !== "application/x-www-form-urlencoded") {
      return oauthError(c, "invalid_request", "The body must be application/x-www-form-urlencoded")
    }
    const text = await readLimitedText(c.req.raw, MAX_BODY_BYTES)
    if (text === undefined) return oauthError(c, "invalid_request", `The body exceeds ${MAX_BODY_BYTES} bytes`)
    const form = singleParams(new URLSearchParams(text))
    if (!form.ok) return oauthError(c, "invalid_request", `The parameter ${form.repeated} is repeated`)
    const grantType = form.get("grant_type")
    if (grantType === undefined) return oauthError(c, "invalid_request", "grant_type is missing")

    const client = await authenticateClient(ctx, c.req.header("authorization"), form)
    if ("error" in client) {
      if (client.basic) c.header("www-authenticate", 'Basic realm="oauth"')
      ctx.log.info("Token request refused", { reason: client.description })
      return oauthError(c, client.error, client.description, 401)
    }
    if (!client.grantTypes.includes(grantType)) {
      if (grantType !== "authorization_code" && grantType !== "refresh_token") {
        return oauthError(c, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
      }
      return oauthError(c, "unauthorized_client", `This client did not register the ${grantType} grant`)
    }
    if (!resourceMatches(ctx, form.get("resource"))) {
      return oauthError(c, "invalid_target", `resource must be ${ctx.resource}`)
    }
    const result =
      grantType === "authorization_code" ? await redeemCode(ctx, client, form) : await refresh(ctx, client, form)
    if ("error" in result) {
      ctx.log.info("Token request refused", { client_id: client.clientId, grant_type: grantType, reason: result.log })
      return oauthError(c, result.error, result.description)
    }
    await ctx.store.markClientUsed(client.clientId, Math.floor(ctx.clock() / 1000))
    return noStoreJson(c, result)
  }
}

type GrantResult = Awaited<ReturnType<ProxyContext["tokens"]["issue"]>> | (Refusal & { log: string })

async function redeemCode(ctx: ProxyContext, client: ClientRecord, form: Form): Promise<GrantResult> {
  const refuse = (log: string, description = "The authorization code is invalid, expired or already used") => ({
    error: "invalid_grant" as const,
    description,
    log,
  })
  const code = form.get("code")
  if (code === undefined) return { error: "invalid_request", description: "code is missing", log: "no code" }
  const grant = ctx.codes.take(code)
  if (!grant) {
    const grantId = ctx.spentCodes.get(code)
    if (grantId === undefined) return refuse("unknown or expired code")
    // RFC 6749 §4.1.2: a replayed code revokes what its first redemption issued.
    await ctx.store.revokeGrant(grantId)
    return refuse("code used twice; revoked the refresh tokens it had issued")
  }
  const grantId = randomToken(16)
  ctx.spentCodes.set(code, grantId)
  if (grant.clientId !== client.clientId) return refuse("code issued to another client")
  const redirectUri = form.get("redirect_uri")
  if (redirectUri === undefined ? grant.redirectUriGiven : redirectUri !== grant.redirectUri) {
    return refuse(
      "redirect_uri differs from the authorization request",
      "redirect_uri does not match the authorization request",
    )
  }
  const verifier = form.get("code_verifier")
  if (verifier === undefined || !PKCE_VERIFIER.test(verifier) || s256(verifier) !== grant.codeChallenge) {
    return refuse("PKCE verification failed", "code_verifier does not match the code_challenge")
  }
  const refresh = client.grantTypes.includes("refresh_token")
  return ctx.tokens.issue({ grantId, clientId: client.clientId, subject: grant.subject, scopes: grant.scopes, refresh })
}

async function refresh(ctx: ProxyContext, client: ClientRecord, form: Form): Promise<GrantResult> {
  const token = form.get("refresh_token")
  if (token === undefined) return { error: "invalid_request", description: "refresh_token is missing", log: "none" }
  const asked = form.get("scope")
  const redeemed = await ctx.tokens.redeemRefresh(
    token,
    client.clientId,
    asked === undefined ? undefined : splitScopes(asked),
  )
  if (!redeemed.ok) {
    const description =
      redeemed.error === "invalid_scope"
        ? "The requested scope exceeds what was granted"
        : "The refresh token is invalid, expired or revoked"
    return { error: redeemed.error, description, log: redeemed.reason }
  }
  const { grantId, subject, scopes: grantedScopes } = redeemed.record
  const clientId = client.clientId
  return ctx.tokens.issue({ grantId, clientId, subject, scopes: redeemed.scopes, grantedScopes, refresh: true })
}

/** RFC 6749 §2.3: the client by HTTP Basic, by `client_secret` in the body, or by `client_id` alone (public). */
async function authenticateClient(
  ctx: ProxyContext,
  header: string | undefined,
  form: Form,
): Promise<ClientRecord | Refusal> {
  const failed = (description: string, basic: boolean): Refusal => ({ error: "invalid_client", description, basic })
  const basic = header === undefined ? undefined : BASIC.exec(header)?.[1]
  let id = form.get("client_id")
  let secret = form.get("client_secret")
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, "base64").toString("utf8")
    const colon = decoded.indexOf(":")
    if (colon < 0 || secret !== undefined) return failed("Use one client authentication method", true)
    const [basicId, basicSecret] = [decoded.slice(0, colon), decoded.slice(colon + 1)].map(formDecode)
    if (basicId === undefined || (id !== undefined && id !== basicId))
      return failed("Malformed Basic credentials", true)
    id = basicId
    secret = basicSecret
  }
  if (id === undefined) return failed("client_id is missing", false)
  const client = await ctx.store.getClient(id)
  if (!client) return failed("Unknown client_id: register the client again", basic !== undefined)
  if (client.authMethod === "none") return client
  if (secret === undefined || client.secretHash === undefined || !matchesDigest(secret, client.secretHash)) {
    return failed("Client authentication failed", basic !== undefined)
  }
  return client
}

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "))
  } catch {
    return undefined
  }
}
