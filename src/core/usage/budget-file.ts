import { isTomlTable, readTomlFile, tomlFileError } from "@/config/toml-file"
import type { BudgetSettings, PeriodLimits } from "./budgets"

export const BUDGETS_SETTING = "IMAGE_GENERATION_MCP_BUDGETS_FILE"
const KEYS = new Set(["daily_usd", "monthly_usd"])

/**
 * Per-subject budgets for HTTP deployments, in USD per UTC day and month:
 *
 *     [default]                      # every subject not named below (optional)
 *     daily_usd = 1
 *
 *     [subjects."alice@example.com"]
 *     daily_usd = 5
 *     monthly_usd = 50
 *
 * A subject is the authenticated caller as the ACL names it (`local` on stdio). Anything else (an unknown key, a
 * negative amount, a file that does not parse) stops start-up with a message naming the file and the entry.
 */
export async function readBudgetFile(path: string): Promise<Pick<BudgetSettings, "subjects" | "otherSubjects">> {
  const doc = await readTomlFile(BUDGETS_SETTING, path)
  const fail = (problem: string) => tomlFileError(BUDGETS_SETTING, path, problem)
  const extra = Object.keys(doc).filter((key) => key !== "default" && key !== "subjects")
  if (extra.length) throw fail(`unknown top-level key '${extra[0]}' (expected [default] and [subjects."<subject>"])`)
  const subjects = new Map<string, PeriodLimits>()
  if (doc.subjects !== undefined) {
    if (!isTomlTable(doc.subjects)) throw fail(`'subjects' must hold tables such as [subjects."alice"]`)
    for (const [subject, entry] of Object.entries(doc.subjects)) {
      subjects.set(
        subject,
        periodLimits(entry, (problem) => fail(`[subjects.${JSON.stringify(subject)}]: ${problem}`)),
      )
    }
  }
  const otherSubjects =
    doc.default === undefined ? undefined : periodLimits(doc.default, (problem) => fail(`[default]: ${problem}`))
  return { subjects, ...(otherSubjects && { otherSubjects }) }
}

function periodLimits(entry: unknown, fail: (problem: string) => Error): PeriodLimits {
  if (!isTomlTable(entry)) throw fail("must be a table with daily_usd and/or monthly_usd")
  const unknown = Object.keys(entry).filter((key) => !KEYS.has(key))
  if (unknown.length) throw fail(`unknown key '${unknown[0]}' (expected daily_usd, monthly_usd)`)
  const amount = (key: string): number | undefined => {
    const value = entry[key]
    if (value === undefined) return undefined
    if (typeof value !== "number" || !Number.isFinite(value)) throw fail(`'${key}' must be an amount in USD`)
    if (value < 0) throw fail(`'${key}' is ${value}: a budget cannot be negative`)
    return value
  }
  const limits: PeriodLimits = {}
  const daily = amount("daily_usd")
  const monthly = amount("monthly_usd")
  if (daily !== undefined) limits.dailyUsd = daily
  if (monthly !== undefined) limits.monthlyUsd = monthly
  return limits
}
