// The default import (not named ones) so tests can check that comparisons go through timingSafeEqual.
import crypto from "node:crypto"
import { ENV_PREFIX } from "@/config/env"
import type { Identity } from "@/core/access"
import { registerSecret } from "@/util/redact"
import { fileError, isTable, readTomlTable, type TomlSource } from "./toml"
import type { TokenVerifier, VerifyResult } from "./types"

/** Scopes a static bearer token carries: all of them (docs/decisions.md#auth-modes). */
export const BEARER_SCOPES = ["read", "write"]

interface Entry {
  digest: Buffer
  subject: string
}

function digest(value: string): Buffer {
  return crypto.createHash("sha256").update(value, "utf8").digest()
}

/**
 * Finds the entry whose token equals `token`. Both sides are SHA-256 digests of equal length compared
 * with `timingSafeEqual`, and every entry is compared (no early exit), so timing says nothing about how
 * much of a token matched, its length, or which entry it was.
 */
function match(token: string, entries: readonly Entry[]): string | undefined {
  const given = digest(token)
  let subject: string | undefined
  for (const entry of entries) {
    if (crypto.timingSafeEqual(given, entry.digest) && subject === undefined) subject = entry.subject
  }
  return subject
}

function verifier(entries: readonly Entry[]): TokenVerifier {
  return {
    async verify(token: string): Promise<VerifyResult> {
      const subject = match(token, entries)
      if (subject === undefined) return { ok: false, error: "invalid_token", reason: "unknown bearer token" }
      const identity: Identity = { subject, scopes: [...BEARER_SCOPES], method: "bearer" }
      return { ok: true, identity }
    },
  }
}

/** `BEARER_TOKEN`: one static token, every caller is `subject`. */
export function createSingleVerifier(token: string, subject: string): TokenVerifier {
  registerSecret(token)
  return verifier([{ digest: digest(token), subject }])
}

/** `BEARER_TOKENS_FILE`: a token → subject map. */
export function createMappedVerifier(tokens: ReadonlyMap<string, string>): TokenVerifier {
  return verifier([...tokens].map(([token, subject]) => ({ digest: digest(token), subject })))
}

/**
 * Loads a mapped-token file: a non-empty `[tokens]` table of `"<token>" = "<subject>"`. Each malformed
 * case is a `ConfigError` naming the file and the entry by position, never by its token. Every token is
 * registered for redaction.
 */
export async function loadTokensFile(path: string): Promise<Map<string, string>> {
  const source: TomlSource = { setting: `${ENV_PREFIX}BEARER_TOKENS_FILE`, path, quoteParseErrors: false }
  const table = await readTomlTable(source, "tokens")
  const tokens = new Map<string, string>()
  Object.entries(table).forEach(([token, subject], index) => {
    const entry = `[tokens] entry ${index + 1}`
    if (isTable(subject)) {
      throw fileError(source, `${entry} is a nested table; each entry must be "<token>" = "<subject>"`)
    }
    if (typeof subject !== "string")
      throw fileError(source, `${entry}: the subject must be a string, not ${kind(subject)}`)
    if (token.trim() === "") throw fileError(source, `${entry} has a blank token`)
    if (/\s/.test(token)) throw fileError(source, `${entry}: the token contains white space, which no client can send`)
    if (subject.trim() === "") throw fileError(source, `${entry} has a blank subject`)
    registerSecret(token)
    tokens.set(token, subject.trim())
  })
  return tokens
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return "an array"
  if (typeof value === "object") return "a date/time"
  return `a ${typeof value}`
}
