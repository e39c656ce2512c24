import type { Database } from "bun:sqlite"
import { statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Config, ConfigError } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"
import { openDatabase } from "@/storage/db"

const FILE_IN_DIRECTORY = "oauth.sqlite"

export type ClientAuthMethod = "none" | "client_secret_post" | "client_secret_basic"

/** A client registered through /register. Times are seconds since the epoch. */
export interface ClientRecord {
  clientId: string
  /** SHA-256 (base64url) of the secret; absent for public clients. */
  secretHash?: string
  authMethod: ClientAuthMethod
  redirectUris: string[]
  grantTypes: string[]
  scope?: string
  /** The registration response's metadata, as sent back to the client (never the secret). */
  metadata: Record<string, unknown>
  createdAt: number
}

/** One refresh token, found by the SHA-256 of its `jti`. */
export interface RefreshRecord {
  tokenHash: string
  grantId: string
  clientId: string
  subject: string
  scopes: string[]
  expiresAt: number
}

export type Rotation = { status: "unknown" } | { status: "reused" | "rotated"; record: RefreshRecord }

export interface OAuthStore {
  /** "main database", "memory" or the file path, for the start-up log. */
  readonly where: string
  addClient(client: ClientRecord): void
  getClient(clientId: string): ClientRecord | undefined
  markClientUsed(clientId: string, at: number): void
  /** Drops never-used registrations older than `before`, and the oldest ones past `keep`. */
  pruneUnusedClients(before: number, keep: number): number
  addRefreshToken(record: RefreshRecord, at: number): void
  /** A refresh token's record, spent or not. */
  findRefreshToken(tokenHash: string): RefreshRecord | undefined
  /**
   * Spends a refresh token of `clientId` at once (one transaction): `rotated` the first time, `reused` when it
   * was spent before, `unknown` when it does not exist, belongs to another client or has expired.
   */
  rotateRefreshToken(tokenHash: string, clientId: string, at: number): Rotation
  /** Revokes every refresh token of a sign-in; returns how many. */
  revokeGrant(grantId: string): number
  /** Deletes expired refresh tokens. */
  sweep(at: number): number
  close(): void
}

interface ClientRow {
  client_id: string
  secret_hash: string | null
  auth_method: ClientAuthMethod
  redirect_uris: string
  grant_types: string
  scope: string | null
  metadata: string
  created_at: number
}

interface RefreshRow {
  token_hash: string
  grant_id: string
  client_id: string
  subject: string
  scope: string
  expires_at: number
  rotated_at: number | null
}

/**
 * Where OAuth state lives, like the transfer tokens (docs/decisions.md#state-urls): `KV_STORE_URL=memory://` in memory,
 * `file:///path` in a SQLite file there (a directory gets `oauth.sqlite` inside), unset the main database
 * through a connection of its own.
 */
export function openOAuthStore(config: Pick<Config, "kvStoreUrl" | "dbPath">): OAuthStore {
  const url = config.kvStoreUrl
  const path = url === undefined ? config.dbPath : url === "memory://" ? ":memory:" : fileURLToPath(url)
  try {
    const file = url?.startsWith("file:") && statSync(path, { throwIfNoEntry: false })?.isDirectory()
    const db = openDatabase(file ? join(path, FILE_IN_DIRECTORY) : path)
    return sqliteOAuthStore(db, url === undefined ? "main database" : url === "memory://" ? "memory" : db.filename)
  } catch (error) {
    const setting = url === undefined ? "DB_PATH" : "KV_STORE_URL"
    const reason = error instanceof Error ? error.message : String(error)
    throw new ConfigError(`Cannot open the OAuth state at ${path} (${ENV_PREFIX}${setting}): ${reason}`, {
      cause: error,
    })
  }
}

function sqliteOAuthStore(db: Database, where: string): OAuthStore {
  const toClient = (row: ClientRow): ClientRecord => {
    const client: ClientRecord = {
      clientId: row.client_id,
      authMethod: row.auth_method,
      redirectUris: JSON.parse(row.redirect_uris) as string[],
      grantTypes: JSON.parse(row.grant_types) as string[],
      metadata: JSON.parse(row.metadata) as Record<string, unknown>,
      createdAt: row.created_at,
    }
    if (row.secret_hash !== null) client.secretHash = row.secret_hash
    if (row.scope !== null) client.scope = row.scope
    return client
  }
  const toRefresh = (row: RefreshRow): RefreshRecord => ({
    tokenHash: row.token_hash,
    grantId: row.grant_id,
    clientId: row.client_id,
    subject: row.subject,
    scopes: row.scope.split(" ").filter(Boolean),
    expiresAt: row.expires_at,
  })
  const selectRefresh = db.query<RefreshRow, [string]>("SELECT * FROM oauth_refresh_tokens WHERE token_hash = ?")
  const rotate = db.transaction((tokenHash: string, clientId: string, at: number): Rotation => {
    const row = selectRefresh.get(tokenHash)
    if (!row || row.client_id !== clientId || row.expires_at <= at) return { status: "unknown" }
    if (row.rotated_at !== null) return { status: "reused", record: toRefresh(row) }
    db.query("UPDATE oauth_refresh_tokens SET rotated_at = ? WHERE token_hash = ?").run(at, tokenHash)
    return { status: "rotated", record: toRefresh(row) }
  })

  return {
    where,
    addClient(c) {
      db.query(
        `INSERT INTO oauth_clients (client_id, secret_hash, auth_method, redirect_uris, grant_types, scope, metadata, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        c.clientId,
        c.secretHash ?? null,
        c.authMethod,
        JSON.stringify(c.redirectUris),
        JSON.stringify(c.grantTypes),
        c.scope ?? null,
        JSON.stringify(c.metadata),
        c.createdAt,
      )
    },
    getClient(clientId) {
      const row = db.query<ClientRow, [string]>("SELECT * FROM oauth_clients WHERE client_id = ?").get(clientId)
      return row ? toClient(row) : undefined
    },
    markClientUsed(clientId, at) {
      db.query("UPDATE oauth_clients SET last_used_at = ? WHERE client_id = ?").run(at, clientId)
    },
    pruneUnusedClients(before, keep) {
      const sql = `DELETE FROM oauth_clients WHERE last_used_at IS NULL AND (created_at < ? OR client_id IN (
        SELECT client_id FROM oauth_clients WHERE last_used_at IS NULL ORDER BY created_at DESC LIMIT -1 OFFSET ?))`
      return db.query(sql).run(before, keep).changes
    },
    addRefreshToken(r, at) {
      db.query(
        `INSERT INTO oauth_refresh_tokens (token_hash, grant_id, client_id, subject, scope, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(r.tokenHash, r.grantId, r.clientId, r.subject, r.scopes.join(" "), r.expiresAt, at)
    },
    findRefreshToken(tokenHash) {
      const row = selectRefresh.get(tokenHash)
      return row ? toRefresh(row) : undefined
    },
    rotateRefreshToken: (tokenHash, clientId, at) => rotate.immediate(tokenHash, clientId, at),
    revokeGrant(grantId) {
      return db.query("DELETE FROM oauth_refresh_tokens WHERE grant_id = ?").run(grantId).changes
    },
    sweep(at) {
      return db.query("DELETE FROM oauth_refresh_tokens WHERE expires_at <= ?").run(at).changes
    },
    close() {
      try {
        db.close()
      } catch {
        // Already closed.
      }
    },
  }
}
