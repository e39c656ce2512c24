import type { UsageRecord, UsageTotals } from "./types"

/** Row shapes of the usage ledger shared by the SQL drivers. */
export interface UsageRow {
  call_id: string
  image_id: string
  at: number
  subject: string
  provider: string
  model: string | null
  size: string | null
  quality: string
  n: number
  outcome: UsageRecord["outcome"]
  billing: UsageRecord["billing"]
  estimate_micros: number | null
  cost_micros: number | null
  settled_at: number | null
  owner_id: string
}

/** One group of a totals query: the grouping columns it was asked for, and the sums. */
export interface TotalsRow {
  day?: string
  provider?: string
  model?: string | null
  subject?: string
  calls: number
  images: number | null
  cost: number | null
  uncertain: number | null
  reserved: number | null
  unknown: number | null
}

export function usageFromRow(row: UsageRow): UsageRecord {
  return {
    id: row.call_id,
    imageId: row.image_id,
    at: row.at,
    subject: row.subject,
    provider: row.provider,
    model: row.model,
    size: row.size,
    quality: row.quality,
    n: row.n,
    outcome: row.outcome,
    billing: row.billing,
    estimateMicros: row.estimate_micros,
    costMicros: row.cost_micros,
    settledAt: row.settled_at,
    ownerId: row.owner_id,
  }
}

export function totalsFromRow(row: TotalsRow): UsageTotals {
  const totals: UsageTotals = {
    calls: row.calls,
    images: row.images ?? 0,
    costMicros: row.cost ?? 0,
    uncertainMicros: row.uncertain ?? 0,
    reservedMicros: row.reserved ?? 0,
    unknownCalls: row.unknown ?? 0,
  }
  if (row.day !== undefined) totals.day = row.day
  if (row.provider !== undefined) totals.provider = row.provider
  if (row.model !== undefined) totals.model = row.model
  if (row.subject !== undefined) totals.subject = row.subject
  return totals
}
