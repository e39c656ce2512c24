/** The verified caller, as every layer sees it. The edges build it: HTTP from the credential, MCP from `AuthInfo`. */
export interface Identity {
  /** `sub` claim, else the token's client id; the mapped subject for bearer tokens; `"local"` without auth. */
  subject: string
  /** Scopes the credential carries: the JWT's `scope`/`scp`, `read write` for static bearer tokens. */
  scopes: string[]
  clientId?: string
  /** What admitted the caller. */
  method: "none" | "bearer" | "jwt"
  /** Expiry in seconds since the epoch (JWTs only). */
  expiresAt?: number
}

/** The caller when auth is off (mode none, or stdio). */
export const LOCAL_IDENTITY: Readonly<Identity> = Object.freeze({
  subject: "local",
  scopes: ["read", "write"],
  method: "none",
})

/** A fresh, mutable copy of `LOCAL_IDENTITY`. */
export function localIdentity(): Identity {
  return { ...LOCAL_IDENTITY, scopes: [...LOCAL_IDENTITY.scopes] }
}
