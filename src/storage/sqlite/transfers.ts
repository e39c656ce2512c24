import type { Database } from "bun:sqlite"
import { type TransferRow, transferFromRow } from "../rows"
import type { TransferStore } from "../types"

type Params = Record<string, string | number | null>

/** Transfer tokens in a SQLite database (the main one, or a file of their own from KV_STORE_URL). */
export function sqliteTransfers(db: Database): TransferStore {
  const fromRow = transferFromRow
  const select = db.query<TransferRow, [string]>("SELECT * FROM transfer_tokens WHERE token_hash = ?")
  // One statement: of any number of concurrent claims, exactly one sees the row claimable and takes it.
  const take = db.query<TransferRow, Params>(
    `UPDATE transfer_tokens SET status = 'in_flight', lease_expires_at = $lease, fence = fence + 1
     WHERE token_hash = $hash AND kind = $kind AND expires_at > $now
       AND (status = 'available' OR (status = 'in_flight' AND lease_expires_at <= $now))
     RETURNING *`,
  )
  const claim = db.transaction((hash: string, kind: string, now: number, lease: number) => {
    const row = take.get({ hash, kind, now, lease })
    if (row) return { outcome: "claimed" as const, record: fromRow(row) }
    const other = select.get(hash)
    const live = other?.kind === kind && other.expires_at > now && other.status === "in_flight"
    return { outcome: live ? ("conflict" as const) : ("not_found" as const) }
  })

  return {
    async insert(record) {
      db.query(
        `INSERT INTO transfer_tokens (token_hash, kind, sink_handle, status, expires_at, lease_expires_at, fence, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        record.tokenHash,
        record.kind,
        record.sinkHandle,
        record.status,
        record.expiresAt,
        record.leaseExpiresAt,
        record.fence,
        record.createdAt,
      )
    },
    async get(tokenHash) {
      const row = select.get(tokenHash)
      return row ? fromRow(row) : undefined
    },
    async claim(tokenHash, kind, now, leaseUntil) {
      return claim.immediate(tokenHash, kind, now, leaseUntil)
    },
    async complete(tokenHash, fence, expiresBy) {
      const sql = `UPDATE transfer_tokens SET status = 'consumed', lease_expires_at = NULL, expires_at = min(expires_at, ?)
        WHERE token_hash = ? AND status = 'in_flight' AND fence = ?`
      return db.query(sql).run(expiresBy, tokenHash, fence).changes > 0
    },
    async release(tokenHash, fence) {
      const sql = `UPDATE transfer_tokens SET status = 'available', lease_expires_at = NULL
        WHERE token_hash = ? AND status = 'in_flight' AND fence = ?`
      return db.query(sql).run(tokenHash, fence).changes > 0
    },
    async sweep(now) {
      return db.query("DELETE FROM transfer_tokens WHERE expires_at <= ?").run(now).changes
    },
  }
}
