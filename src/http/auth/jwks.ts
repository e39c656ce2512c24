import type { webcrypto } from "node:crypto"
import { createLogger } from "@/util/log"
import { JWS_ALGORITHMS, type JwtHeader, type KeyLookup } from "./jwt"

const log = createLogger("auth")

export interface JwksOptions {
  url: string
  fetch: typeof fetch
  /** Milliseconds since the epoch. */
  clock: () => number
  /** Least time between two fetches, so unknown `kid`s cannot make us hammer the IdP. @default 30 s */
  minRefetchMs?: number
  /** A set older than this is refreshed on the next lookup. @default 10 min */
  maxAgeMs?: number
  /** @default 10 s */
  timeoutMs?: number
}

export interface JwksCache {
  /** Keys for a token header; an unknown `kid` triggers one (rate-limited) refetch, for key rotation. */
  lookup: KeyLookup
  /** Fetches the set now (rate limit aside); failures are logged and keep the previous set. */
  refresh(): Promise<void>
}

type Jwk = Record<string, unknown>

/** Only the public key members: importKey rejects a JWK whose alg/use/key_ops disagree with the usage. */
const KEY_MEMBERS: Record<string, string[]> = {
  RSA: ["kty", "n", "e"],
  EC: ["kty", "crv", "x", "y"],
  OKP: ["kty", "crv", "x"],
}

export function createJwksCache(options: JwksOptions): JwksCache {
  const { url, clock } = options
  const minRefetchMs = options.minRefetchMs ?? 30_000
  const maxAgeMs = options.maxAgeMs ?? 600_000
  let keys: Jwk[] | undefined
  let fetchedAt = 0
  let lastAttempt = Number.NEGATIVE_INFINITY
  let inflight: Promise<void> | undefined
  const imported = new WeakMap<Jwk, Map<string, Promise<CryptoKey | undefined>>>()

  const load = async () => {
    lastAttempt = clock()
    try {
      const res = await options.fetch(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      const body = (await res.json()) as { keys?: unknown }
      if (!Array.isArray(body?.keys)) throw new Error("the document has no 'keys' array")
      keys = body.keys.filter((k): k is Jwk => typeof k === "object" && k !== null && !Array.isArray(k))
      fetchedAt = clock()
    } catch (error) {
      log.warning("Could not fetch the OIDC signing keys (JWKS)", { url, error })
    }
  }
  const refresh = () => {
    inflight ??= load().finally(() => {
      inflight = undefined
    })
    return inflight
  }
  const mayRefetch = () => clock() - lastAttempt >= minRefetchMs

  const importKey = (jwk: Jwk, alg: string) => {
    const byAlg = imported.get(jwk) ?? new Map<string, Promise<CryptoKey | undefined>>()
    imported.set(jwk, byAlg)
    const key = byAlg.get(alg) ?? importPublicKey(jwk, alg)
    byAlg.set(alg, key)
    return key
  }

  const lookup = async (header: JwtHeader) => {
    if (inflight || (mayRefetch() && (keys === undefined || clock() - fetchedAt > maxAgeMs))) await refresh()
    let candidates = select(keys ?? [], header)
    if (candidates.length === 0 && header.kid !== undefined && mayRefetch()) {
      await refresh()
      candidates = select(keys ?? [], header)
    }
    const found = await Promise.all(candidates.map((jwk) => importKey(jwk, header.alg)))
    return found.filter((k): k is CryptoKey => k !== undefined)
  }

  return { lookup, refresh }
}

/** Signature keys that fit the header: same kid (when given), key type and curve, and `alg`/`use` if stated. */
function select(keys: Jwk[], header: JwtHeader): Jwk[] {
  const algorithm = JWS_ALGORITHMS[header.alg]
  if (!algorithm) return []
  return keys.filter(
    (k) =>
      k.kty === algorithm.kty &&
      (algorithm.crv === undefined || k.crv === algorithm.crv) &&
      (header.kid === undefined || k.kid === header.kid) &&
      (k.alg === undefined || k.alg === header.alg) &&
      (k.use === undefined || k.use === "sig") &&
      (!Array.isArray(k.key_ops) || k.key_ops.includes("verify")),
  )
}

/** A verify-only CryptoKey from the JWK's public members; undefined when WebCrypto refuses it. */
function importPublicKey(jwk: Jwk, alg: string): Promise<CryptoKey | undefined> {
  const algorithm = JWS_ALGORITHMS[alg]
  if (!algorithm) return Promise.resolve(undefined)
  const members = KEY_MEMBERS[String(jwk.kty)] ?? []
  const publicJwk = Object.fromEntries(members.map((m) => [m, jwk[m]])) as webcrypto.JsonWebKey
  return crypto.subtle.importKey("jwk", publicJwk, algorithm.importParams, false, ["verify"]).catch(() => undefined)
}
