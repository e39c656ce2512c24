import type { UsageLimit } from "@/storage"
import { toMicros } from "./money"
import { type BudgetPeriod, periodBounds } from "./periods"

/** Limits in USD per UTC day and month; either may be unset (no limit). */
export interface PeriodLimits {
  dailyUsd?: number
  monthlyUsd?: number
}

/** Every budget in force: the server-wide ones and those of each subject (HTTP callers). */
export interface BudgetSettings extends PeriodLimits {
  /** Limits of named subjects. */
  subjects: ReadonlyMap<string, PeriodLimits>
  /** Limits of every subject the file does not name. */
  otherSubjects?: PeriodLimits
}

export const NO_BUDGETS: BudgetSettings = { subjects: new Map() }

/** One budget applied to a call: the store's limit, plus what it is for and when it resets. */
export interface AppliedLimit extends UsageLimit {
  period: BudgetPeriod
  /** Epoch seconds the period ends and the budget is whole again. */
  resetsAt: number
}

/** The budgets a call by `subject` must fit in at `now`: the server's, then the subject's own. */
export function limitsFor(settings: BudgetSettings, subject: string, now: number): AppliedLimit[] {
  const own = settings.subjects.get(subject) ?? settings.otherSubjects
  const applied: AppliedLimit[] = []
  const add = (period: BudgetPeriod, usd: number | undefined, forSubject?: string) => {
    if (usd === undefined) return
    const { start, end } = periodBounds(period, now)
    const limit: AppliedLimit = { period, since: start, resetsAt: end, limitMicros: toMicros(usd) }
    if (forSubject !== undefined) limit.subject = forSubject
    applied.push(limit)
  }
  add("daily", settings.dailyUsd)
  add("monthly", settings.monthlyUsd)
  add("daily", own?.dailyUsd, subject)
  add("monthly", own?.monthlyUsd, subject)
  return applied
}

/** Whether any budget is configured at all. */
export function hasBudgets(settings: BudgetSettings): boolean {
  return (
    settings.dailyUsd !== undefined ||
    settings.monthlyUsd !== undefined ||
    settings.subjects.size > 0 ||
    settings.otherSubjects !== undefined
  )
}
