import type { webcrypto } from "node:crypto"
import type { Identity } from "@/core/access"
import type { VerifyResult } from "./types"

export interface JwtPolicy {
  /** Exact `iss` expected (the discovery document's `issuer`). */
  issuer: string
  /** Value `aud` must be or contain; unset skips the check. */
  audience?: string
  /** Scopes the token must all carry (`scope` string or `scp` list). */
  requiredScopes: string[]
  /** Clock skew tolerated on `exp` and `nbf`, in seconds. */
  leewayS: number
}

export interface JwtHeader {
  alg: string
  kid?: string
}

/** The keys that may have signed a token with this header (by `kid`, key type and `alg`). */
export type KeyLookup = (header: JwtHeader) => Promise<CryptoKey[]>

interface JwsAlgorithm {
  kty: "RSA" | "EC" | "OKP"
  crv?: string
  importParams: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm
  verifyParams: webcrypto.Algorithm | webcrypto.RsaPssParams | webcrypto.EcdsaParams
}

const rsa = (hash: string): JwsAlgorithm => ({
  kty: "RSA",
  importParams: { name: "RSASSA-PKCS1-v1_5", hash },
  verifyParams: { name: "RSASSA-PKCS1-v1_5" },
})
const pss = (bits: number): JwsAlgorithm => ({
  kty: "RSA",
  importParams: { name: "RSA-PSS", hash: `SHA-${bits}` },
  verifyParams: { name: "RSA-PSS", saltLength: bits / 8 },
})
const ec = (crv: string, hash: string): JwsAlgorithm => ({
  kty: "EC",
  crv,
  importParams: { name: "ECDSA", namedCurve: crv },
  verifyParams: { name: "ECDSA", hash },
})

/** Accepted signature algorithms. `none` and the HMAC family are absent on purpose: keys here are public. */
export const JWS_ALGORITHMS: Readonly<Record<string, JwsAlgorithm>> = {
  RS256: rsa("SHA-256"),
  RS384: rsa("SHA-384"),
  RS512: rsa("SHA-512"),
  PS256: pss(256),
  PS384: pss(384),
  PS512: pss(512),
  ES256: ec("P-256", "SHA-256"),
  ES384: ec("P-384", "SHA-384"),
  ES512: ec("P-521", "SHA-512"),
  EdDSA: { kty: "OKP", crv: "Ed25519", importParams: { name: "Ed25519" }, verifyParams: { name: "Ed25519" } },
}

const MAX_TOKEN_CHARS = 16_384
const SEGMENT = /^[A-Za-z0-9_-]+$/

/** The three base64url segments of a compact JWS of sane length; undefined for anything else. */
export function compactJwsParts(token: string): [head: string, body: string, signature: string] | undefined {
  const parts = token.split(".")
  if (token.length > MAX_TOKEN_CHARS || parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return undefined
  return parts as [string, string, string]
}

export type Claims = Record<string, unknown>
const fail = (reason: string): VerifyResult => ({ ok: false, error: "invalid_token", reason })

/** Verifies a compact JWS access token: signature against `lookup`'s keys, then the claims against `policy`. */
export async function verifyJwt(
  token: string,
  lookup: KeyLookup,
  policy: JwtPolicy,
  nowS: number,
): Promise<VerifyResult> {
  const signed = await verifyJwtSignature(token, lookup)
  return signed.ok ? checkClaims(signed.claims, policy, nowS) : fail(signed.reason)
}

/** The payload of a compact JWS whose signature one of `lookup`'s keys verifies; no claim is checked yet. */
export async function verifyJwtSignature(
  token: string,
  lookup: KeyLookup,
): Promise<{ ok: true; claims: Claims } | { ok: false; reason: string }> {
  const fail = (reason: string) => ({ ok: false as const, reason })
  const parts = compactJwsParts(token)
  if (!parts) return fail("not a compact JWT")
  const [head, body, signature] = parts
  const header = decodeJson(head)
  const alg = typeof header?.alg === "string" ? header.alg : ""
  const algorithm = Object.hasOwn(JWS_ALGORITHMS, alg) ? JWS_ALGORITHMS[alg] : undefined
  if (!header || !algorithm) return fail("unsupported JWT algorithm")
  if (header.crit !== undefined) return fail("JWT header has critical extensions")
  const kid = typeof header.kid === "string" ? header.kid : undefined
  const keys = await lookup({ alg, kid })
  if (keys.length === 0) return fail(kid === undefined ? "no signing key for the JWT" : "unknown JWT key id")
  const data = new TextEncoder().encode(`${head}.${body}`)
  const sig = Buffer.from(signature, "base64url")
  let valid = false
  for (const key of keys) {
    if (!valid) valid = await crypto.subtle.verify(algorithm.verifyParams, key, sig, data).catch(() => false)
  }
  if (!valid) return fail("bad JWT signature")
  const claims = decodeJson(body)
  return claims ? { ok: true, claims } : fail("JWT payload is not a JSON object")
}

/** Claim checks after a good signature: exp (required), nbf, iss, aud, scopes, then the subject. */
export function checkClaims(claims: Claims, policy: JwtPolicy, nowS: number): VerifyResult {
  const { exp, nbf, iss, aud } = claims
  if (typeof exp !== "number") return fail("JWT has no exp claim")
  if (nowS > exp + policy.leewayS) return fail("JWT expired")
  if (nbf !== undefined && (typeof nbf !== "number" || nowS + policy.leewayS < nbf)) return fail("JWT not yet valid")
  if (iss !== policy.issuer) return fail("JWT issuer mismatch")
  if (policy.audience !== undefined && ![aud].flat().includes(policy.audience)) return fail("JWT audience mismatch")
  const scopes = tokenScopes(claims)
  const missing = policy.requiredScopes.filter((s) => !scopes.includes(s))
  if (missing.length > 0) {
    return { ok: false, error: "insufficient_scope", reason: `JWT lacks scopes ${missing.join(" ")}`, scopes: missing }
  }
  const clientId = text(claims.client_id) ?? text(claims.azp)
  const subject = text(claims.sub) ?? clientId
  if (subject === undefined) return fail("JWT has neither sub nor client_id")
  const identity: Identity = { subject, scopes, method: "jwt", expiresAt: exp }
  if (clientId !== undefined) identity.clientId = clientId
  return { ok: true, identity }
}

/** `scope` (space-separated, RFC 8693/9068) or `scp` (a list or a string, Azure AD / Okta). */
export function tokenScopes(claims: Claims): string[] {
  const raw = claims.scope ?? claims.scp
  const list = typeof raw === "string" ? raw.split(/\s+/) : Array.isArray(raw) ? raw : []
  return list.filter((s): s is string => typeof s === "string" && s !== "")
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined
}

/** A base64url JSON object segment, or undefined. */
export function decodeJson(segment: string): Claims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"))
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Claims) : undefined
  } catch {
    return undefined
  }
}
