import type { UsageGrouping, UsageStore, UsageTotals } from "@/storage"
import { InvalidArgumentError } from "../errors"
import { nowSeconds, parseIsoTimestamp } from "../time"
import type { BudgetStanding } from "./ledger"
import { toUsd } from "./money"
import { isoUtc, periodBounds } from "./periods"
import type { PriceTable } from "./prices"

export interface UsagePeriodArgs {
  /** `YYYY-MM-DD` (that day's 00:00 UTC) or an ISO timestamp; default the first day of this UTC month. */
  since?: string | null
  /** `YYYY-MM-DD` (through the end of that UTC day) or an ISO timestamp (exclusive); default now. */
  until?: string | null
}

export interface UsagePeriod {
  since: number
  until: number
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** The period a `get_usage` call asks about, checked. */
export function usagePeriod(args: UsagePeriodArgs, now = nowSeconds()): UsagePeriod {
  const since = args.since ? instant("since", args.since, 0) : periodBounds("monthly", now).start
  const until = args.until ? instant("until", args.until, 86_400) : now + 1
  if (until <= since) {
    const [to, from] = [args.until ?? `now, ${isoUtc(now)}`, args.since ?? isoUtc(since)]
    throw new InvalidArgumentError(`The period is empty: 'until' (${to}) must come after 'since' (${from}).`)
  }
  return { since, until }
}

function instant(name: string, text: string, dayOffset: number): number {
  const value = text.trim()
  const epoch = DAY.test(value) ? parseIsoTimestamp(`${value}T00:00:00Z`) : parseIsoTimestamp(value)
  if (epoch === undefined) {
    throw new InvalidArgumentError(
      `'${name}' must be a day (YYYY-MM-DD) or an ISO timestamp such as 2026-12-01T09:30:00Z; got '${text}'.`,
    )
  }
  return DAY.test(value) ? epoch + dayOffset : epoch
}

const usd = (micros: number) => Math.round(micros) / 1_000_000
const NOTHING: UsageTotals = {
  calls: 0,
  images: 0,
  costMicros: 0,
  uncertainMicros: 0,
  reservedMicros: 0,
  unknownCalls: 0,
}

/** One group's sums as the tool shows them: money in USD. */
function amounts(t: UsageTotals) {
  return {
    calls: t.calls,
    images: t.images,
    cost_usd: usd(t.costMicros),
    uncertain_usd: usd(t.uncertainMicros),
    reserved_usd: usd(t.reservedMicros),
    unknown_cost_calls: t.unknownCalls,
  }
}

export interface SummaryInput {
  store: UsageStore
  prices: PriceTable
  pricesFile?: string
  period: UsagePeriod
  /** Only this subject's calls; undefined means everyone's. */
  subject?: string
  budgets: BudgetStanding[]
}

/** `get_usage` and `usage://summary`: totals by day, provider, model and subject over a period, and the budgets. */
export async function usageSummary(input: SummaryInput): Promise<Record<string, unknown>> {
  const { store, period, subject } = input
  const query = { since: period.since, until: period.until, ...(subject !== undefined && { subject }) }
  const by = (grouping: UsageGrouping) => store.totals(query, grouping)
  const [all, days, providers, models, subjects] = await Promise.all(
    (["all", "day", "provider", "model", "subject"] as const).map(by),
  )
  return {
    period: { since: isoUtc(period.since), until: isoUtc(period.until), time_zone: "UTC" },
    subject: subject ?? null,
    currency: "USD",
    total: amounts(all?.[0] ?? NOTHING),
    by_day: (days ?? []).map((t) => ({ day: t.day, ...amounts(t) })),
    by_provider: (providers ?? []).map((t) => ({ provider: t.provider, ...amounts(t) })),
    by_model: (models ?? []).map((t) => ({ provider: t.provider, model: t.model ?? null, ...amounts(t) })),
    by_subject: (subjects ?? []).map((t) => ({ subject: t.subject, ...amounts(t) })),
    budgets: input.budgets.map((b) => ({
      period: b.period,
      subject: b.subject ?? null,
      limit_usd: toUsd(b.limitMicros),
      used_usd: usd(b.usedMicros),
      remaining_usd: usd(b.remainingMicros),
      resets_at: isoUtc(b.resetsAt),
    })),
    prices: {
      basis:
        "Estimates from list prices per image; a call that ended without an answer counts as uncertain (it may have been billed). The provider's invoice is authoritative.",
      file: input.pricesFile ?? null,
      sources: input.prices
        .sources()
        .flatMap(({ provider, sources }) =>
          sources.map((s) => ({ provider, models: s.models, url: s.url, checked: s.checked })),
        ),
    },
  }
}
