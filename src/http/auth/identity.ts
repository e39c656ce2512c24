import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js"
import type { Context } from "hono"
import type { Identity } from "./types"

/** The caller when auth is off (mode none, or stdio). */
export const LOCAL_IDENTITY: Readonly<Identity> = Object.freeze({
  subject: "local",
  scopes: ["read", "write"],
  method: "none",
})

/** The identity the auth middleware set on this request; undefined when no auth middleware ran. */
export function getIdentity(c: Context): Identity | undefined {
  return c.get("auth" as never) as Identity | undefined
}

/** For `createHttpApp(services, { authInfo: authInfoFromContext })`: the middleware's identity as `AuthInfo`. */
export function authInfoFromContext(c: Context): AuthInfo | undefined {
  const identity = getIdentity(c)
  return identity && toAuthInfo(identity)
}

/**
 * The SDK's `AuthInfo` for `transport.handleRequest(req, { authInfo })`, so MCP handlers see the caller
 * as `extra.authInfo`. The credential itself is not passed on (`token` is empty): nothing downstream
 * needs it, and a token that never leaves this layer cannot end up in a log (docs/decisions.md#no-secrets-in-logs).
 */
export function toAuthInfo(identity: Identity): AuthInfo {
  const info: AuthInfo = {
    token: "",
    clientId: identity.clientId ?? identity.subject,
    scopes: [...identity.scopes],
    extra: { subject: identity.subject, method: identity.method },
  }
  if (identity.expiresAt !== undefined) info.expiresAt = identity.expiresAt
  return info
}

/** The identity back from `extra.authInfo` in an MCP handler; no auth info (stdio) means `LOCAL_IDENTITY`. */
export function identityFromAuthInfo(info: AuthInfo | undefined): Identity {
  const subject = info?.extra?.subject
  if (!info || typeof subject !== "string") return { ...LOCAL_IDENTITY, scopes: [...LOCAL_IDENTITY.scopes] }
  const method = info.extra?.method
  const identity: Identity = {
    subject,
    scopes: [...info.scopes],
    method: method === "bearer" || method === "jwt" ? method : "none",
  }
  if (info.clientId !== subject) identity.clientId = info.clientId
  if (info.expiresAt !== undefined) identity.expiresAt = info.expiresAt
  return identity
}
