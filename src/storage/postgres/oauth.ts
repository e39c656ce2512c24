import type { SQL } from "bun"
import { type ClientRow, clientFromRow, clientToParams, type RefreshRow, refreshFromRow } from "../rows"
import type { OAuthStore } from "../types"

/**
 * The oidc-proxy's clients and refresh tokens in PostgreSQL. A rotation is one UPDATE that only a token never
 * spent matches, so of two concurrent rotations of one token exactly one is `rotated` and the other `reused`.
 */
export function postgresOAuth(sql: SQL): OAuthStore {
  const selectRefresh = (hash: string) =>
    sql<RefreshRow[]>`SELECT * FROM oauth_refresh_tokens WHERE token_hash = ${hash}`
  return {
    async addClient(client) {
      await sql.unsafe(
        `INSERT INTO oauth_clients (client_id, secret_hash, auth_method, redirect_uris, grant_types, scope, metadata, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        clientToParams(client),
      )
    },
    async getClient(clientId) {
      const [row] = await sql<ClientRow[]>`SELECT * FROM oauth_clients WHERE client_id = ${clientId}`
      return row ? clientFromRow(row) : undefined
    },
    async markClientUsed(clientId, at) {
      await sql`UPDATE oauth_clients SET last_used_at = ${at} WHERE client_id = ${clientId}`
    },
    async pruneUnusedClients(before, keep) {
      const result = await sql`DELETE FROM oauth_clients WHERE last_used_at IS NULL AND (created_at < ${before}
        OR client_id IN (SELECT client_id FROM oauth_clients WHERE last_used_at IS NULL
          ORDER BY created_at DESC OFFSET ${keep}))`
      return result.count
    },
    async addRefreshToken(r, at) {
      await sql`INSERT INTO oauth_refresh_tokens (token_hash, grant_id, client_id, subject, scope, expires_at, created_at)
        VALUES (${r.tokenHash}, ${r.grantId}, ${r.clientId}, ${r.subject}, ${r.scopes.join(" ")}, ${r.expiresAt}, ${at})`
    },
    async findRefreshToken(tokenHash) {
      const [row] = await selectRefresh(tokenHash)
      return row ? refreshFromRow(row) : undefined
    },
    async rotateRefreshToken(tokenHash, clientId, at) {
      const [spent] = await sql<RefreshRow[]>`UPDATE oauth_refresh_tokens SET rotated_at = ${at}
        WHERE token_hash = ${tokenHash} AND client_id = ${clientId} AND expires_at > ${at} AND rotated_at IS NULL
        RETURNING *`
      if (spent) return { status: "rotated", record: refreshFromRow(spent) }
      const [row] = await selectRefresh(tokenHash)
      if (!row || row.client_id !== clientId || row.expires_at <= at || row.rotated_at === null)
        return { status: "unknown" }
      return { status: "reused", record: refreshFromRow(row) }
    },
    async revokeGrant(grantId) {
      return (await sql`DELETE FROM oauth_refresh_tokens WHERE grant_id = ${grantId}`).count
    },
    async sweep(at) {
      return (await sql`DELETE FROM oauth_refresh_tokens WHERE expires_at <= ${at}`).count
    },
  }
}
