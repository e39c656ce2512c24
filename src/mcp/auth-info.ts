import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js"
import { type Identity, localIdentity } from "@/core/access"

/**
 * The SDK's `AuthInfo` for `transport.handleRequest(req, { authInfo })`, so MCP handlers see the caller
 * as `extra.authInfo`. The credential itself is not passed on (`token` is empty): nothing downstream
 * needs it, and a token that never leaves this layer cannot end up in a log.
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

/** The identity back from `extra.authInfo` in an MCP handler; no auth info (stdio) means the local identity. */
export function identityFromAuthInfo(info: AuthInfo | undefined): Identity {
  const subject = info?.extra?.subject
  if (!info || typeof subject !== "string") return localIdentity()
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
