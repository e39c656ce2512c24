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

const LOCK = `SELECT pg_advisory_xact_lock(${LEDGER_LOCK})`
const INSERT_CALL = `INSERT INTO usage_ledger (call_id, image_id, at, subject, provider, model, size, quality, n, outcome,
  billing, estimate_micros, cost_micros, settled_at, owner_id)`
const CALL_PARAMS = Array.from({ length: 15 }, (_, i) => `$${i + 1}`).join(", ")
/** Adds `micros` (an expression over the CTE `source`'s `at` and `subject`) to the day totals of both scopes. */
const spendFrom = (source: string, micros: string) => `INSERT INTO usage_days (scope, subject, day, micros)
  SELECT scope.name, CASE WHEN scope.name = 'all' THEN '' ELSE ${source}.subject END, floor(${source}.at / ${DAY}), ${micros}
  FROM ${source}, (VALUES ('all'), ('subject')) AS scope (name) WHERE ${micros} <> 0
  ON CONFLICT (scope, subject, day) DO UPDATE SET micros = usage_days.micros + excluded.micros`
/**
 * A reservation no budget checks, in one statement (one round trip): the ledger lock is taken before the row and
 * its estimate ($16) are written, as in the checked path, so reservations still commit one at a time.
 */
const RESERVE_UNCHECKED = `WITH locked AS (${LOCK}),
  call AS (${INSERT_CALL} SELECT ${CALL_PARAMS} FROM locked RETURNING at, subject)
  ${spendFrom("call", "$16::bigint")}`
/**
 * A settlement in one statement: under the ledger lock, the reserved row takes its outcome and cost, and the day
 * totals trade its estimate for that cost. Answers how many rows it settled (0: settled already).
 */
const SETTLE = `WITH locked AS (${LOCK}),
  settled AS (UPDATE usage_ledger SET outcome = $2, billing = $3, cost_micros = $4, settled_at = $5 FROM locked
    WHERE call_id = $1 AND outcome = 'reserved' RETURNING at, subject, estimate_micros),
  spent AS (${spendFrom("settled", "(coalesce($4::bigint, 0) - coalesce(settled.estimate_micros, 0))")})
  SELECT count(*)::int AS settled FROM settled`

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
  const insertValues = (record: UsageRecord) => [
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
  ]
  const rows = async (text: string, values: unknown[]) => (await sql.unsafe<UsageRow[]>(text, values)).map(usageFromRow)

  return {
    async reserve(record, limits) {
      // Nothing to check: one statement, taking the same lock before it writes (see RESERVE_UNCHECKED).
      if (limits.length === 0) {
        await sql.unsafe(RESERVE_UNCHECKED, [...insertValues(record), record.estimateMicros ?? 0])
        return { ok: true as const }
      }
      return sql.begin(async (tx) => {
        await tx.unsafe(`SELECT pg_advisory_xact_lock(${LEDGER_LOCK})`)
        const estimate = record.estimateMicros ?? 0
        for (const [index, limit] of limits.entries()) {
          const usedMicros = await used(tx, limit)
          if (usedMicros + estimate > limit.limitMicros) return { ok: false as const, index, usedMicros }
        }
        await tx.unsafe(`${INSERT_CALL} VALUES (${CALL_PARAMS})`, insertValues(record))
        await spend(tx, record, estimate)
        return { ok: true as const }
      })
    },
    async settle(id, settled) {
      const { outcome, billing, costMicros, settledAt } = settled
      const [row] = await sql.unsafe<{ settled: number }[]>(SETTLE, [id, outcome, billing, costMicros, settledAt])
      return (row?.settled ?? 0) > 0
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
