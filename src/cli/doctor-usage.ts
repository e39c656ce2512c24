import type { Config } from "@/config/config"
import { readBudgetFile } from "@/core/usage/budget-file"
import { formatUsd, toMicros } from "@/core/usage/money"
import { readPriceFile } from "@/core/usage/price-file"
import { PriceTable } from "@/core/usage/prices"
import type { DoctorFinding } from "@/providers/definition"

const amount = (usd: number | undefined, period: string) =>
  usd === undefined ? "(none)" : `${formatUsd(toMicros(usd))} per UTC ${period}`

/** The budget settings as doctor's configuration lists them. */
export function budgetSummary(config: Config): [string, string][] {
  return [
    ["daily budget", amount(config.dailyBudgetUsd, "day")],
    ["monthly budget", amount(config.monthlyBudgetUsd, "month")],
    ["budgets file", config.budgetsFile ?? "(not set)"],
    ["prices file", config.pricesFile ?? "(not set)"],
  ]
}

/** Whether the prices file reads, and how old the built-in table is. */
export async function checkPrices(config: Config): Promise<DoctorFinding> {
  const label = "prices"
  const dates = new PriceTable()
    .sources()
    .map(
      ({ provider, sources }) => `${provider} checked ${[...new Set(sources.map((s) => s.checked))].sort().join(", ")}`,
    )
  const table = `built-in table (${dates.join("; ")}); models without a price are recorded as unknown`
  if (!config.pricesFile) return { ok: true, label, detail: table }
  try {
    const rows = await readPriceFile(config.pricesFile)
    return { ok: true, label, detail: `${rows.length} row(s) from ${config.pricesFile}, then the ${table}` }
  } catch (error) {
    return {
      ok: false,
      label,
      detail: (error as Error).message,
      fix: "Correct the prices file (see README, Budgets and prices).",
    }
  }
}

/** Whether the budgets file reads, and what it limits. */
export async function checkBudgets(config: Config): Promise<DoctorFinding> {
  const label = "budgets"
  const server = [
    config.dailyBudgetUsd !== undefined && `daily ${formatUsd(toMicros(config.dailyBudgetUsd))}`,
    config.monthlyBudgetUsd !== undefined && `monthly ${formatUsd(toMicros(config.monthlyBudgetUsd))}`,
  ].filter(Boolean)
  const whole = server.length ? `server-wide ${server.join(", ")} (UTC)` : "no server-wide budget"
  if (!config.budgetsFile) return { ok: true, label, detail: `${whole}; no per-subject budgets` }
  try {
    const file = await readBudgetFile(config.budgetsFile)
    const others = file.otherSubjects ? " and a [default] for the others" : ""
    return { ok: true, label, detail: `${whole}; ${file.subjects.size} subject(s) with their own limits${others}` }
  } catch (error) {
    return {
      ok: false,
      label,
      detail: (error as Error).message,
      fix: "Correct the budgets file (see README, Budgets and prices).",
    }
  }
}
