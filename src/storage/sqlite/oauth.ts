import type { Database } from "bun:sqlite"
import { type ClientRow, clientFromRow, clientToParams, type RefreshRow, refreshFromRow } from "../rows"
import type { OAuthStore, Rotation } from "../types"

/** The oidc-proxy's clients and refresh tokens (migration 0006) in a SQLite database. */
export function sqliteOAuthStore(db: Database): OAuthStore {
  const selectRefresh = db.query<RefreshRow, [string]>("SELECT * FROM oauth_refresh_tokens WHERE token_hash = ?")
  const rotate = db.transaction((tokenHash: string, clientId: string, at: number): Rotation => {
    const row = selectRefresh.get(tokenHash)
    if (!row || row.client_id !== clientId || row.expires_at <= at) return { status: "unknown" }
    if (row.rotated_at !== null) return { status: "reused", record: refreshFromRow(row) }
    db.query("UPDATE oauth_refresh_tokens SET rotated_at = ? WHERE token_hash = ?").run(at, tokenHash)
    return { status: "rotated", record: refreshFromRow(row) }
  })

  return {
    async addClient(client) {
      db.query(
        `INSERT INTO oauth_clients (client_id, secret_hash, auth_method, redirect_uris, grant_types, scope, metadata, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(...clientToParams(client))
    },
    async getClient(clientId) {
      const row = db.query<ClientRow, [string]>("SELECT * FROM oauth_clients WHERE client_id = ?").get(clientId)
      return row ? clientFromRow(row) : undefined
    },
    async markClientUsed(clientId, at) {
      db.query("UPDATE oauth_clients SET last_used_at = ? WHERE client_id = ?").run(at, clientId)
    },
    async pruneUnusedClients(before, keep) {
      const sql = `DELETE FROM oauth_clients WHERE last_used_at IS NULL AND (created_at < ? OR client_id IN (
        SELECT client_id FROM oauth_clients WHERE last_used_at IS NULL ORDER BY created_at DESC LIMIT -1 OFFSET ?))`
      return db.query(sql).run(before, keep).changes
    },
    async addRefreshToken(r, at) {
      db.query(
        `INSERT INTO oauth_refresh_tokens (token_hash, grant_id, client_id, subject, scope, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(r.tokenHash, r.grantId, r.clientId, r.subject, r.scopes.join(" "), r.expiresAt, at)
    },
    async findRefreshToken(tokenHash) {
      const row = selectRefresh.get(tokenHash)
      return row ? refreshFromRow(row) : undefined
    },
    async rotateRefreshToken(tokenHash, clientId, at) {
      return rotate.immediate(tokenHash, clientId, at)
    },
    async revokeGrant(grantId) {
      return db.query("DELETE FROM oauth_refresh_tokens WHERE grant_id = ?").run(grantId).changes
    },
    async sweep(at) {
      return db.query("DELETE FROM oauth_refresh_tokens WHERE expires_at <= ?").run(at).changes
    },
  }
}
