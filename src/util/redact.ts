const secrets = new Set<string>()

/** Registers a value (API key, bearer token…) that must never appear in logs or error texts. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value)
}

// A query or fragment ends at white space, a quote or a closing bracket, so surrounding text survives.
const URL_PATTERN =
  /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]*@)?([^\s/?#"'<>]*)([^\s?#"'<>]*)(\?[^\s#"'<>)\]}]*)?(#[^\s"'<>)\]}]*)?/gi
const BEARER_PATTERN = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi
const TRANSFER_PATTERN = /(\/transfer\/)[A-Za-z0-9_-]{16,}/g

/** Removes URL userinfo, query strings and fragments, bearer tokens and registered secrets from text. */
export function redact(text: string): string {
  let out = text.replace(
    URL_PATTERN,
    (_m, scheme: string, userinfo: string | undefined, host: string, path: string) => {
      return `${scheme}${userinfo ? "***@" : ""}${host}${path}`
    },
  )
  out = out.replace(BEARER_PATTERN, "$1***")
  out = out.replace(TRANSFER_PATTERN, "$1***")
  for (const secret of secrets) out = out.split(secret).join("***")
  return out
}

/** `redact` applied to every string inside a value (objects, arrays, errors), without serialising it. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redact(value)
  if (value instanceof Error) return { name: value.name, message: redact(value.message) }
  if (depth > 6 || value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)]))
}
