import type { TransferConfig } from "@/config/config"
import { InvalidArgumentError } from "../errors"

/** 32 random bytes as unpadded URL-safe base64. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** A fresh link token. It is handed out once and never stored: only `hashToken(token)` is. */
export function newToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")
}

/** The SHA-256 (hex) under which a token is stored and looked up. */
export function hashToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex")
}

/** What logs may show of a link: a short prefix of its hash, never the token. */
export function tokenTag(tokenHash: string): string {
  return tokenHash.slice(0, 8)
}

/** The link lifetime in seconds: the default when unset, clamped to the maximum; zero or negative is refused. */
export function resolveTtl(ttlS: number | null | undefined, config: TransferConfig): number {
  if (ttlS === null || ttlS === undefined) return config.ttlDefaultS
  if (!Number.isFinite(ttlS) || ttlS <= 0) {
    throw new InvalidArgumentError(`The link TTL must be a positive number of seconds; got ${ttlS}.`)
  }
  return Math.min(ttlS, config.ttlMaxS)
}
