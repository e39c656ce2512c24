import { createHash, timingSafeEqual } from "node:crypto"

/** A random URL-safe string carrying `bytes` random bytes (32 bytes → 43 characters). */
export function randomToken(bytes = 32): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url")
}

/** SHA-256 of a string, base64url: how secrets and token ids are stored. */
export function sha256(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("base64url")
}

/** Whether `secret` hashes to `digest`, compared in constant time. */
export function matchesDigest(secret: string, digest: string): boolean {
  const given = Buffer.from(sha256(secret), "base64url")
  const stored = Buffer.from(digest, "base64url")
  return given.length === stored.length && timingSafeEqual(given, stored)
}

/** RFC 7636 `code_verifier`: 43 to 128 unreserved characters. */
export const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/
/** An S256 `code_challenge`: the base64url SHA-256 of a verifier, always 43 characters. */
export const PKCE_S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/** PKCE S256 (RFC 7636 §4.2): BASE64URL(SHA256(ASCII(verifier))). */
export const s256 = sha256

/** Client-supplied text made safe for a log line: control characters replaced, length capped. */
export function printable(value: unknown, max = 100): string | undefined {
  return typeof value === "string" ? value.replace(/[\p{Cc}\p{Cf}]/gu, " ").slice(0, max) : undefined
}

/** Space-separated scope list → unique scopes, order kept. */
export function splitScopes(value: string | undefined): string[] {
  return [...new Set((value ?? "").split(" ").filter((s) => s !== ""))]
}

export type Params = { ok: true; get(name: string): string | undefined } | { ok: false; repeated: string }

/**
 * Request parameters with RFC 6749 §3.1's rule applied: a parameter sent more than once is an error;
 * an empty value counts as absent.
 */
export function singleParams(params: URLSearchParams): Params {
  const seen = new Set<string>()
  for (const name of params.keys()) {
    if (seen.has(name)) return { ok: false, repeated: name }
    seen.add(name)
  }
  return { ok: true, get: (name) => params.get(name) || undefined }
}
