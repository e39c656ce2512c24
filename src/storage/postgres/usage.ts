import type { SQL } from "bun"
import type { UsageGrouping, UsageLimit, UsageRecord, UsageStore } from "../types"
import { type TotalsRow, totalsFromRow, type UsageRow, usageFromRow } from "../usage-rows"
import { Params } from "./search"

/** Every reservation and settlement takes this transaction-scoped advisory lock first: they run one at a time. */
const LEDGER_LOCK = 0x75_73_61_67_65

const DAY = 86_400

/** While reserved a call counts its estimate; once settled, its cost (NULL, an unknown price, counts nothing). */
const SPENT = "CASE WHEN outcome = 'reserved' THEN estimate_micros ELSE cost_micros END"

// bigint and numeric come back from Bun's client as strings: money is read as float8 (exact below 2^53).
const COLUMNS = `call_id, image_id, at, subject, provider, model, size, quality, n, outcome, billing,
  estimate_micros::float8 AS estimate_micros, cost_micros::float8 AS cost_micros, settled_at, owner_id`

const GROUP_COLUMNS: Record<UsageGrouping, string[]> = {
  all: [],
  day: ["to_char(to_timestamp(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day"],
  provider: ["provider"],
  model: ["provider", "model"],
  subject: ["subject"],
}

type Runner = Pick<SQL, "unsafe">

/** The PostgreSQL usage ledger, with the same semantics as SQLite's (sqlite/usage.ts). */
export function postgresUsage(sql: SQL): UsageStore {
  const used = async (tx: Runner, limit: Pick<UsageLimit, "since" | "subject">): Promise<number> => {
    const { since, subject } = limit
    // Budget periods start at UTC midnight: they are answered from the day totals; any other start from the calls.
    const [row] =
      since % DAY === 0
        ? await tx.unsafe<{ used: number | null }[]>(
            "SELECT sum(micros)::float8 AS used FROM usage_days WHERE scope = $1 AND subject = $2 AND day >= $3",
            [subject === undefined ? "all" : "subject", subject ?? "", since / DAY],
          )
        : subject === undefined
          ? await tx.unsafe(`SELECT sum(${SPENT})::float8 AS used FROM usage_ledger WHERE at >= $1`, [since])
          : await tx.unsafe(`SELECT sum(${SPENT})::float8 AS used FROM usage_ledger WHERE subject = $1 AND at >= $2`, [
              subject,
              since,
            ])
    return row?.used ?? 0
  }
  const spend = async (tx: Runner, record: Pick<UsageRecord, "at" | "subject">, micros: number) => {
    if (micros === 0) return
    const day = Math.floor(record.at / DAY)
    await tx.unsafe(
      `INSERT INTO usage_days (scope, subject, day, micros) VALUES ('all', '', $1, $3), ('subject', $2, $1, $3)
       ON CONFLICT (scope, subject, day) DO UPDATE SET micros = usage_days.micros + excluded.micros`,
      [day, record.subject, micros],
    )
  }
  const rows = async (text: string, values: unknown[]) => (await sql.unsafe<UsageRow[]>(text, values)).map(usageFromRow)

  return {
    reserve(record, limits) {
      return sql.begin(async (tx) => {
        await tx.unsafe(`SELECT pg_advisory_xact_lock(${LEDGER_LOCK})`)
        const estimate = record.estimateMicros ?? 0
        for (const [index, limit] of limits.entries()) {
          const usedMicros = await used(tx, limit)
          if (usedMicros + estimate > limit.limitMicros) return { ok: false as const, index, usedMicros }
        }
        await tx.unsafe(
          `INSERT INTO usage_ledger (call_id, image_id, at, subject, provider, model, size, quality, n, outcome,
             billing, estimate_micros, cost_micros, settled_at, owner_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          [
            record.id,
            record.imageId,
            record.at,
            record.subject,
            record.provider,
            record.model,
            record.size,
            record.quality,
            record.n,
            record.outcome,
            record.billing,
            record.estimateMicros,
            record.costMicros,
            record.settledAt,
            record.ownerId,
          ],
        )
        await spend(tx, record, estimate)
        return { ok: true as const }
      })
    },
    settle(id, settled) {
      // The day totals trade the estimate for the cost in the same transaction as the row.
      return sql.begin(async (tx) => {
        await tx.unsafe(`SELECT pg_advisory_xact_lock(${LEDGER_LOCK})`)
        const { outcome, billing, costMicros, settledAt } = settled
        const [row] = await tx.unsafe<Pick<UsageRow, "at" | "subject" | "estimate_micros">[]>(
          `UPDATE usage_ledger SET outcome = $2, billing = $3, cost_micros = $4, settled_at = $5
           WHERE call_id = $1 AND outcome = 'reserved' RETURNING at, subject, estimate_micros::float8 AS estimate_micros`,
          [id, outcome, billing, costMicros, settledAt],
        )
        if (!row) return false
        await spend(tx, row, (costMicros ?? 0) - (row.estimate_micros ?? 0))
        return true
      })
    },
    used(since, subject) {
      return used(sql, { since, subject })
    },
    listReserved() {
      return rows(`SELECT ${COLUMNS} FROM usage_ledger WHERE outcome = 'reserved' ORDER BY at`, [])
    },
    async forImage(imageId) {
      const [found] = await rows(`SELECT ${COLUMNS} FROM usage_ledger WHERE image_id = $1 ORDER BY at LIMIT 1`, [
        imageId,
      ])
      return found
    },
    async totals(query, by) {
      const columns = GROUP_COLUMNS[by]
      const keys = columns.map((c) => c.split(" AS ").pop() as string)
      const params = new Params()
      const where = `at >= ${params.add(query.since)} AND at < ${params.add(query.until)}${
        query.subject === undefined ? "" : ` AND subject = ${params.add(query.subject)}`
      }`
      const text = `SELECT ${[...columns, ""].join(", ")} count(*)::int AS calls, sum(n)::float8 AS images,
          sum(CASE WHEN outcome != 'reserved' THEN cost_micros END)::float8 AS cost,
          sum(CASE WHEN billing = 'uncertain' THEN cost_micros END)::float8 AS uncertain,
          sum(CASE WHEN outcome = 'reserved' THEN estimate_micros END)::float8 AS reserved,
          sum(CASE WHEN outcome != 'reserved' AND cost_micros IS NULL THEN 1 ELSE 0 END)::int AS unknown
        FROM usage_ledger WHERE ${where}
        ${keys.length ? `GROUP BY ${keys.join(", ")} ORDER BY ${keys.join(", ")}` : ""}`
      const found = await sql.unsafe<TotalsRow[]>(text, params.values)
      return found.map(totalsFromRow)
    },
  }
}
