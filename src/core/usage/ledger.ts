import type { JobStore, UsageRecord, UsageStore } from "@/storage"
import type { ReplicaIdentity } from "../jobs/owner"
import { nowSeconds } from "../time"
import { type AppliedLimit, type BudgetSettings, limitsFor, NO_BUDGETS } from "./budgets"
import { BudgetExceededError, UnpricedCallError } from "./errors"
import { toUsd } from "./money"
import { NO_PREVIEWS, type PreviewPrice, type Price, type PriceTable } from "./prices"
import { type CallEnd, settlement } from "./settlement"
import { type UsagePeriodArgs, usagePeriod, usageSummary } from "./summary"

/** One provider call about to be made, as the generation path knows it. */
export interface UsageCall {
  imageId: string
  subject: string
  provider: string
  /** The model that will run it (the provider's default resolved), when known. */
  model: string | null
  aspectRatio: string
  quality: string
  /** Images the call asks for. */
  n: number
  /** Whether live previews are asked for (billed by some vendors). */
  previews?: boolean
}

/** A call's price before it starts. */
export interface Estimate {
  /** Images the call asks for. */
  n: number
  size: string | null
  price: Price
  /** The live previews asked for and what each costs; null when their price is unknown. */
  previews: PreviewPrice | null
  /** Price × n plus the previews; null when either price is unknown. */
  micros: number | null
}

/** Where one budget stands for a caller right now. */
export interface BudgetStanding extends AppliedLimit {
  usedMicros: number
  remainingMicros: number
}

/** What a call would cost and what the caller's budgets have left, before it starts. */
export interface Quote {
  estimate: Estimate
  budgets: BudgetStanding[]
}

/** A reserved call: settle it exactly once, when the provider call ends. */
export interface Reservation {
  readonly id: string
  readonly estimate: Estimate
  settle(end: CallEnd): Promise<void>
}

export interface UsageServiceOptions {
  store: UsageStore
  prices: PriceTable
  budgets?: BudgetSettings
  /** The prices file in use, for the summary. */
  pricesFile?: string
  /** The jobs the calls belong to: a call is in flight while its job generates under a live lease. */
  jobs: JobStore
  self: ReplicaIdentity
  /** How long a job's lease lasts: a call whose job never appeared is given up after it. */
  leaseS: number
  log?: { warning(message: string, fields?: Record<string, unknown>): void }
}

/** The usage ledger: every provider call is reserved before it starts and settled when it ends. */
export class UsageService {
  readonly prices: PriceTable
  readonly budgets: BudgetSettings
  private readonly opts: UsageServiceOptions

  constructor(opts: UsageServiceOptions) {
    this.opts = opts
    this.prices = opts.prices
    this.budgets = opts.budgets ?? NO_BUDGETS
  }

  estimate(call: UsageCall): Estimate {
    const size = this.prices.billedSize(call.provider, call.model, call.aspectRatio, call.quality)
    const price = this.prices.price({ provider: call.provider, model: call.model, size, quality: call.quality })
    const previews = call.previews ? this.prices.previews(call.provider, call.model, call.n, price) : NO_PREVIEWS
    const micros =
      price.micros === null || previews === null ? null : price.micros * call.n + previews.count * previews.eachMicros
    return { n: call.n, size, price, previews, micros }
  }

  /** Where the caller's budgets stand now. */
  async standing(subject: string, now = nowSeconds()): Promise<BudgetStanding[]> {
    return Promise.all(
      limitsFor(this.budgets, subject, now).map(async (limit) => {
        const usedMicros = await this.opts.store.used(limit.since, limit.subject)
        return { ...limit, usedMicros, remainingMicros: Math.max(0, limit.limitMicros - usedMicros) }
      }),
    )
  }

  /**
   * The call's estimate and the caller's budgets, for the cost confirmation. Throws as `reserve` would when a budget
   * refuses it now (a later `reserve` decides for good: others may spend meanwhile).
   */
  async quote(call: UsageCall): Promise<Quote> {
    const now = nowSeconds()
    const estimate = this.estimate(call)
    const budgets = await this.standing(call.subject, now)
    for (const budget of this.applicable(budgets, estimate, call)) {
      if (budget.usedMicros + (estimate.micros ?? 0) > budget.limitMicros) {
        throw new BudgetExceededError(budget, budget.usedMicros, estimate.micros ?? 0, now)
      }
    }
    return { estimate, budgets }
  }

  /**
   * Records the call as reserved, its estimate counting against every budget until it is settled. Throws
   * `BudgetExceededError` when the estimate would pass what a budget has left, `UnpricedCallError` when a budget is
   * in force and the price is unknown; nothing is written then. Atomic: concurrent calls cannot overshoot.
   */
  async reserve(call: UsageCall): Promise<Reservation> {
    const now = nowSeconds()
    const estimate = this.estimate(call)
    const limits = this.applicable(limitsFor(this.budgets, call.subject, now), estimate, call)
    const record: UsageRecord = {
      id: crypto.randomUUID(),
      imageId: call.imageId,
      at: now,
      subject: call.subject,
      provider: call.provider,
      model: call.model,
      size: estimate.size,
      quality: call.quality,
      n: call.n,
      outcome: "reserved",
      billing: "pending",
      estimateMicros: estimate.micros,
      costMicros: null,
      settledAt: null,
      ownerId: this.opts.self.id,
    }
    const reserved = await this.opts.store.reserve(record, limits)
    if (!reserved.ok) {
      const limit = limits[reserved.index] as AppliedLimit
      throw new BudgetExceededError(limit, reserved.usedMicros, estimate.micros ?? 0, now)
    }
    let settled: Promise<void> | undefined
    return {
      id: record.id,
      estimate,
      settle: (end) => {
        settled ??= this.settle(record, billedPreviews(end, estimate))
        return settled
      },
    }
  }

  /**
   * Settles calls left reserved by a server that is gone (killed between reservation and settlement): they are
   * `interrupted`, and may have been billed. A call belongs to its job; it is gone once the job no longer
   * generates or its lease has run out (docs/decisions.md#usage-ledger). Run at start-up and whenever jobs are
   * found interrupted; returns how many.
   */
  async recoverInterrupted(now = nowSeconds()): Promise<number> {
    let count = 0
    for (const record of await this.opts.store.listReserved()) {
      if (await this.inFlight(record, now)) continue
      if (await this.settleRecord(record, { kind: "interrupted" })) count++
    }
    return count
  }

  /** Whether a reserved call may still be running: ours settle themselves; others' live while their job does. */
  private async inFlight(record: UsageRecord, now: number): Promise<boolean> {
    if (record.ownerId === this.opts.self.id) return true
    const job = await this.opts.jobs.get(record.imageId)
    // Reserved just before its job row is written: a moment's gap, bounded by one lease.
    if (!job) return record.at + this.opts.leaseS >= now
    return job.status === "generating" && job.leaseExpiresEpoch >= now
  }

  /** The ledger entry of the call that made an image. */
  forImage(imageId: string): Promise<UsageRecord | undefined> {
    return this.opts.store.forImage(imageId)
  }

  /**
   * Totals by day, provider, model and subject over a period, with the budgets of `budgetSubject`. `subject`
   * limits the totals to one caller's calls; undefined shows everyone's.
   */
  async summary(
    args: UsagePeriodArgs,
    view: { subject?: string; budgetSubject: string },
  ): Promise<Record<string, unknown>> {
    return usageSummary({
      store: this.opts.store,
      prices: this.prices,
      pricesFile: this.opts.pricesFile,
      period: usagePeriod(args),
      subject: view.subject,
      budgets: await this.standing(view.budgetSubject),
    })
  }

  /** What an image cost, for its metadata: its share of its call, and how the call was billed. */
  async imageCost(imageId: string): Promise<Record<string, unknown> | undefined> {
    const call = await this.opts.store.forImage(imageId)
    if (!call) return undefined
    const money = call.outcome === "reserved" ? call.estimateMicros : call.costMicros
    return {
      usd: money === null ? null : Math.round(money / call.n) / 1_000_000,
      call_usd: money === null ? null : toUsd(money),
      n: call.n,
      billing: call.billing,
      provider: call.provider,
      model: call.model,
      size: call.size,
      quality: call.quality,
    }
  }

  /** The budgets a call must fit in: none for a free call; an unknown price under a budget is refused. */
  private applicable<L extends AppliedLimit>(limits: L[], estimate: Estimate, call: UsageCall): L[] {
    if (estimate.micros === 0) return []
    const first = limits[0]
    if (first && estimate.micros === null) throw new UnpricedCallError({ ...call, size: estimate.size }, first)
    return limits
  }

  private async settle(record: UsageRecord, end: CallEnd): Promise<void> {
    try {
      await this.settleRecord(record, end)
    } catch (error) {
      // A call whose settlement could not be written stays reserved until the next start settles it as interrupted.
      this.opts.log?.warning("Could not settle a provider call in the usage ledger", { call: record.id, error })
    }
  }

  private settleRecord(record: UsageRecord, end: CallEnd): Promise<boolean> {
    const settled = settlement(end, record.estimateMicros)
    return this.opts.store.settle(record.id, { ...settled, settledAt: nowSeconds() })
  }
}

/**
 * A completed call's cost counts the previews the vendor sent, which may be fewer than asked for when the image was
 * done sooner: the estimate less the ones that never came.
 */
function billedPreviews(end: CallEnd, estimate: Estimate): CallEnd {
  if (end.kind !== "completed" || end.previews === undefined || !estimate.previews || estimate.micros === null) {
    return end
  }
  const missing = Math.max(0, estimate.previews.count - end.previews)
  return { ...end, costMicros: estimate.micros - missing * estimate.previews.eachMicros }
}
