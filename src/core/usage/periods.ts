/** Budget periods are UTC calendar days and months, whatever the server's time zone. */
export type BudgetPeriod = "daily" | "monthly"

export interface PeriodBounds {
  /** Epoch seconds the period began. */
  start: number
  /** Epoch seconds the next period begins (when the budget resets). */
  end: number
}

export function periodBounds(period: BudgetPeriod, now: number): PeriodBounds {
  const date = new Date(now * 1000)
  const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()]
  const start = period === "daily" ? Date.UTC(y, m, d) : Date.UTC(y, m, 1)
  const end = period === "daily" ? Date.UTC(y, m, d + 1) : Date.UTC(y, m + 1, 1)
  return { start: start / 1000, end: end / 1000 }
}

/** `2026-12-02T00:00:00Z`. */
export function isoUtc(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 19)}Z`
}

/** `2026-12-02 00:00 UTC`. */
export function utcMinute(epochSeconds: number): string {
  return `${isoUtc(epochSeconds).slice(0, 16).replace("T", " ")} UTC`
}

/** When a period's budget comes back, in words: `at 00:00 UTC`, or `on 2027-01-01 at 00:00 UTC`. */
export function resetPhrase(period: BudgetPeriod, end: number): string {
  return period === "daily" ? "at 00:00 UTC" : `on ${isoUtc(end).slice(0, 10)} at 00:00 UTC`
}
