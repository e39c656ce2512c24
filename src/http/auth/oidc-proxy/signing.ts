import { type Claims, compactJwsParts, decodeJson } from "../jwt"
import { sha256 } from "./util"

const encoder = new TextEncoder()
const HKDF_SALT = encoder.encode("image-generation-mcp oidc-proxy")
const HKDF_INFO = encoder.encode("jwt HS256")

/** Signs and checks the tokens this server issues (HS256 under a key derived from OIDC_JWT_SIGNING_KEY). */
export interface TokenSigner {
  /** Names the key in the `kid` header (a digest, not the key): a token from another key is told apart. */
  readonly kid: string
  sign(typ: string, claims: Claims): Promise<string>
  /** The claims of a token signed by this key with header `typ`; the reason otherwise. Claims are not checked. */
  verify(token: string, typ: string): Promise<{ ok: true; claims: Claims } | { ok: false; reason: string }>
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/**
 * The signer for `secret`, or for 32 random bytes when it is unset (tokens then die with the process).
 * The HMAC key is derived with HKDF-SHA256, so the configured text is never used as a key directly.
 */
export async function createTokenSigner(secret: string | undefined): Promise<TokenSigner> {
  const material = secret === undefined ? crypto.getRandomValues(new Uint8Array(32)) : encoder.encode(secret)
  const base = await crypto.subtle.importKey("raw", material, "HKDF", false, ["deriveBits"])
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: HKDF_SALT, info: HKDF_INFO },
    base,
    256,
  )
  const key = await crypto.subtle.importKey("raw", bits, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"])
  const kid = sha256(Buffer.from(bits).toString("base64url")).slice(0, 16)

  return {
    kid,
    async sign(typ, claims) {
      const input = `${b64({ alg: "HS256", typ, kid })}.${b64(claims)}`
      const signature = await crypto.subtle.sign("HMAC", key, encoder.encode(input))
      return `${input}.${Buffer.from(signature).toString("base64url")}`
    },
    async verify(token, typ) {
      const fail = (reason: string) => ({ ok: false as const, reason })
      const parts = compactJwsParts(token)
      if (!parts) return fail("not a compact JWT")
      const [head, body, signature] = parts
      const header = decodeJson(head)
      if (header?.alg !== "HS256" || header.typ !== typ) return fail(`not a ${typ} token of this server`)
      const data = encoder.encode(`${head}.${body}`)
      const valid = await crypto.subtle.verify("HMAC", key, Buffer.from(signature, "base64url"), data)
      if (!valid) return fail(header.kid === kid ? "bad JWT signature" : "JWT signed by another key")
      const claims = decodeJson(body)
      return claims ? { ok: true, claims } : fail("JWT payload is not a JSON object")
    },
  }
}
