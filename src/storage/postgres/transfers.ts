import type { SQL } from "bun"
import { type TransferRow, transferFromRow } from "../rows"
import type { TransferStore } from "../types"

/** Transfer tokens in PostgreSQL. Each method is one statement; a claim's UPDATE re-checks its row once it holds
 * the row lock, so of any number of concurrent claims exactly one takes a token. */
export function postgresTransfers(sql: SQL): TransferStore {
  const select = (hash: string) => sql<TransferRow[]>`SELECT * FROM transfer_tokens WHERE token_hash = ${hash}`
  return {
    async insert(r) {
      await sql`INSERT INTO transfer_tokens (token_hash, kind, sink_handle, status, expires_at, lease_expires_at, fence, created_at)
        VALUES (${r.tokenHash}, ${r.kind}, ${r.sinkHandle}, ${r.status}, ${r.expiresAt}, ${r.leaseExpiresAt}, ${r.fence}, ${r.createdAt})`
    },
    async get(tokenHash) {
      const [row] = await select(tokenHash)
      return row ? transferFromRow(row) : undefined
    },
    async claim(hash, kind, now, lease) {
      const [row] = await sql<TransferRow[]>`UPDATE transfer_tokens
        SET status = 'in_flight', lease_expires_at = ${lease}, fence = fence + 1
        WHERE token_hash = ${hash} AND kind = ${kind} AND expires_at > ${now}
          AND (status = 'available' OR (status = 'in_flight' AND lease_expires_at <= ${now}))
        RETURNING *`
      if (row) return { outcome: "claimed", record: transferFromRow(row) }
      const [other] = await select(hash)
      const live = other?.kind === kind && other.expires_at > now && other.status === "in_flight"
      return { outcome: live ? "conflict" : "not_found" }
    },
    async complete(hash, fence, expiresBy) {
      const result = await sql`UPDATE transfer_tokens
        SET status = 'consumed', lease_expires_at = NULL, expires_at = LEAST(expires_at, ${expiresBy})
        WHERE token_hash = ${hash} AND status = 'in_flight' AND fence = ${fence}`
      return result.count > 0
    },
    async release(hash, fence) {
      const result = await sql`UPDATE transfer_tokens SET status = 'available', lease_expires_at = NULL
        WHERE token_hash = ${hash} AND status = 'in_flight' AND fence = ${fence}`
      return result.count > 0
    },
    async sweep(now) {
      return (await sql`DELETE FROM transfer_tokens WHERE expires_at <= ${now}`).count
    },
  }
}
