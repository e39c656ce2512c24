import { AppError } from "../errors"
import type { AppliedLimit } from "./budgets"
import { formatUsd } from "./money"
import { isoUtc, resetPhrase } from "./periods"

const whose = (limit: AppliedLimit) => (limit.subject === undefined ? "the server's" : "your")

/** A call whose estimate would take spending past a budget; refused before any request. */
export class BudgetExceededError extends AppError {
  override name = "BudgetExceededError"
  readonly limit: AppliedLimit

  constructor(limit: AppliedLimit, usedMicros: number, estimateMicros: number, now: number) {
    const left = Math.max(0, limit.limitMicros - usedMicros)
    super(
      "limit_reached",
      "budget_exceeded",
      `This call would cost about ${formatUsd(estimateMicros)}, but only ${formatUsd(left)} of ${whose(limit)} ` +
        `${limit.period} budget of ${formatUsd(limit.limitMicros)} is left. It resets ${resetPhrase(limit.period, limit.resetsAt)} ` +
        `(${isoUtc(limit.resetsAt)}; budgets count UTC days and months). Nothing was sent to the provider.`,
      { tag: null, retryAfterS: Math.max(1, Math.ceil(limit.resetsAt - now)) },
    )
    this.limit = limit
  }
}

/** A call with no known price while a budget is in force: it cannot be checked, so it is refused. */
export class UnpricedCallError extends AppError {
  override name = "UnpricedCallError"

  constructor(
    call: { provider: string; model: string | null; size: string | null; quality: string },
    limit: AppliedLimit,
  ) {
    const model = call.model ? `model '${call.model}'` : "its default model"
    const size = call.size ? ` at size ${call.size}` : ""
    super(
      "limit_reached",
      "price_unknown",
      `No price is known for ${call.provider} ${model}${size} (quality ${call.quality}), so this call cannot be checked ` +
        `against ${whose(limit)} ${limit.period} budget and was not started. Choose a model with a known price, or add ` +
        "its price to the file named by IMAGE_GENERATION_MCP_PRICES_FILE.",
      { tag: null },
    )
  }
}
