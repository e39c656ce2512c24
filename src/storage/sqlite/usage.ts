import type { Database } from "bun:sqlite"
import type { UsageGrouping, UsageLimit, UsageRecord, UsageStore } from "../types"
import { type TotalsRow, totalsFromRow, type UsageRow, usageFromRow } from "../usage-rows"

type Params = Record<string, string | number | null>

/** While reserved a call counts its estimate; once settled, its cost (NULL, an unknown price, counts nothing). */
const SPENT = "CASE WHEN outcome = 'reserved' THEN estimate_micros ELSE cost_micros END"

const GROUP_COLUMNS: Record<UsageGrouping, string[]> = {
  all: [],
  day: ["strftime('%Y-%m-%d', at, 'unixepoch') AS day"],
  provider: ["provider"],
  model: ["provider", "model"],
  subject: ["subject"],
}

/** The SQLite usage ledger, on the main database's connection (see 0007_usage_ledger.sql). */
export function sqliteUsage(db: Database): UsageStore {
  const insert = db.query<never, Params>(
    `INSERT INTO usage_ledger (call_id, image_id, at, subject, provider, model, size, quality, n, outcome, billing,
       estimate_micros, cost_micros, settled_at, owner_id)
     VALUES ($id, $image, $at, $subject, $provider, $model, $size, $quality, $n, $outcome, $billing,
       $estimate, $cost, $settled, $owner)`,
  )
  const DAY = 86_400
  const usedAll = db.query<{ used: number | null }, [number]>(
    `SELECT sum(${SPENT}) AS used FROM usage_ledger WHERE at >= ?`,
  )
  const usedBy = db.query<{ used: number | null }, [string, number]>(
    `SELECT sum(${SPENT}) AS used FROM usage_ledger WHERE subject = ? AND at >= ?`,
  )
  const usedDays = db.query<{ used: number | null }, [string, string, number]>(
    "SELECT sum(micros) AS used FROM usage_days WHERE scope = ? AND subject = ? AND day >= ?",
  )
  const addDay = db.query<never, [string, string, number, number]>(
    `INSERT INTO usage_days (scope, subject, day, micros) VALUES (?, ?, ?, ?)
     ON CONFLICT (scope, subject, day) DO UPDATE SET micros = micros + excluded.micros`,
  )
  /** Budget periods start at UTC midnight: they are answered from the day totals; any other start from the calls. */
  const used = (limit: Pick<UsageLimit, "since" | "subject">): number => {
    const { since, subject } = limit
    if (since % DAY === 0) {
      return usedDays.get(subject === undefined ? "all" : "subject", subject ?? "", since / DAY)?.used ?? 0
    }
    return (subject === undefined ? usedAll.get(since) : usedBy.get(subject, since))?.used ?? 0
  }
  const spend = (record: Pick<UsageRecord, "at" | "subject">, micros: number) => {
    if (micros === 0) return
    const day = Math.floor(record.at / DAY)
    addDay.run("all", "", day, micros)
    addDay.run("subject", record.subject, day, micros)
  }

  // Under the write lock (BEGIN IMMEDIATE): of any number of concurrent reservations, in this process or another,
  // each sees the ones committed before it, so together they never pass a limit.
  const reserve = db.transaction((record: UsageRecord, limits: readonly UsageLimit[]) => {
    const estimate = record.estimateMicros ?? 0
    for (const [index, limit] of limits.entries()) {
      const usedMicros = used(limit)
      if (usedMicros + estimate > limit.limitMicros) return { ok: false as const, index, usedMicros }
    }
    insert.run(toParams(record))
    spend(record, estimate)
    return { ok: true as const }
  })
  const reservedRow = db.query<Pick<UsageRow, "at" | "subject" | "estimate_micros">, [string]>(
    "SELECT at, subject, estimate_micros FROM usage_ledger WHERE call_id = ? AND outcome = 'reserved'",
  )
  const settleRow = db.query<never, Params>(
    `UPDATE usage_ledger SET outcome = $outcome, billing = $billing, cost_micros = $cost, settled_at = $at
     WHERE call_id = $id AND outcome = 'reserved'`,
  )
  // The day totals trade the estimate for the cost in the same transaction as the row.
  const settle = db.transaction((id: string, settled: Parameters<UsageStore["settle"]>[1]) => {
    const row = reservedRow.get(id)
    if (!row) return false
    const { outcome, billing, costMicros, settledAt } = settled
    settleRow.run({ id, outcome, billing, cost: costMicros, at: settledAt })
    spend(row, (costMicros ?? 0) - (row.estimate_micros ?? 0))
    return true
  })

  return {
    async reserve(record, limits) {
      return reserve.immediate(record, limits)
    },
    async settle(id, settled) {
      return settle.immediate(id, settled)
    },
    async used(since, subject) {
      return used({ since, subject })
    },
    async listReserved() {
      return db
        .query<UsageRow, []>("SELECT * FROM usage_ledger WHERE outcome = 'reserved' ORDER BY at")
        .all()
        .map(usageFromRow)
    },
    async forImage(imageId) {
      const row = db.query<UsageRow, [string]>("SELECT * FROM usage_ledger WHERE image_id = ? ORDER BY at LIMIT 1")
      const found = row.get(imageId)
      return found ? usageFromRow(found) : undefined
    },
    async totals(query, by) {
      const columns = GROUP_COLUMNS[by]
      const keys = columns.map((c) => c.split(" AS ").pop() as string)
      const where = `at >= $since AND at < $until${query.subject === undefined ? "" : " AND subject = $subject"}`
      const sql = `SELECT ${[...columns, ""].join(", ")} count(*) AS calls, sum(n) AS images,
          sum(CASE WHEN outcome != 'reserved' THEN cost_micros END) AS cost,
          sum(CASE WHEN billing = 'uncertain' THEN cost_micros END) AS uncertain,
          sum(CASE WHEN outcome = 'reserved' THEN estimate_micros END) AS reserved,
          sum(CASE WHEN outcome != 'reserved' AND cost_micros IS NULL THEN 1 ELSE 0 END) AS unknown
        FROM usage_ledger WHERE ${where}
        ${keys.length ? `GROUP BY ${keys.join(", ")} ORDER BY ${keys.join(", ")}` : ""}`
      const params: Params = { since: query.since, until: query.until }
      if (query.subject !== undefined) params.subject = query.subject
      // Ungrouped, SQL answers one row even for an empty period: the zero total.
      return db.query<TotalsRow, Params>(sql).all(params).map(totalsFromRow)
    },
  }
}

function toParams(r: UsageRecord): Params {
  return {
    id: r.id,
    image: r.imageId,
    at: r.at,
    subject: r.subject,
    provider: r.provider,
    model: r.model,
    size: r.size,
    quality: r.quality,
    n: r.n,
    outcome: r.outcome,
    billing: r.billing,
    estimate: r.estimateMicros,
    cost: r.costMicros,
    settled: r.settledAt,
    owner: r.ownerId,
  }
}
