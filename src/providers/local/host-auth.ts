import { registerSecret } from "@/util/redact"

/**
 * Splits a local server's host URL into a base safe to show (no credentials, no trailing slash) and the Basic
 * Authorization header its `user:password@` asks for; the password is registered for redaction.
 */
export function hostWithBasicAuth(host: string): { base: string; authorization?: string } {
  const url = new URL(host)
  const user = decodeURIComponent(url.username)
  const password = decodeURIComponent(url.password)
  registerSecret(password)
  url.username = ""
  url.password = ""
  const base = url.toString().replace(/\/+$/, "")
  if (!user && !password) return { base }
  return { base, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` }
}
