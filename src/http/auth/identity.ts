import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js"
import type { Context } from "hono"
import type { Identity } from "@/core/access"
import { toAuthInfo } from "@/mcp"

/** The identity the auth middleware set on this request; undefined when no auth middleware ran. */
export function getIdentity(c: Context): Identity | undefined {
  return c.get("auth" as never) as Identity | undefined
}

/** For `createHttpApp(services, { authInfo: authInfoFromContext })`: the middleware's identity as `AuthInfo`. */
export function authInfoFromContext(c: Context): AuthInfo | undefined {
  const identity = getIdentity(c)
  return identity && toAuthInfo(identity)
}
