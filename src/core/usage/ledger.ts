import type { UsageRecord, UsageStore } from "@/storage/types"
import { isOwnerAlive, type ProcessIdentity } from "../jobs/owner"
import { nowSeconds } from "../time"
import type { Price, PriceTable } from "./prices"
import { type CallEnd, settlement } from "./settlement"

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
}

/** A call's price before it starts. */
export interface Estimate {
  size: string | null
  price: Price
  /** Price × n; null when the price is unknown. */
  micros: number | null
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
  self: ProcessIdentity
  log?: { warning(message: string, fields?: Record<string, unknown>): void }
}

/** The usage ledger: every provider call is reserved before it starts and settled when it ends. */
export class UsageService {
  readonly prices: PriceTable
  private readonly opts: UsageServiceOptions

  constructor(opts: UsageServiceOptions) {
    this.opts = opts
    this.prices = opts.prices
  }

  estimate(call: UsageCall): Estimate {
    const size = this.prices.billedSize(call.provider, call.model, call.aspectRatio, call.quality)
    const price = this.prices.price({ provider: call.provider, model: call.model, size, quality: call.quality })
    return { size, price, micros: price.micros === null ? null : price.micros * call.n }
  }

  /** Records the call as reserved. */
  async reserve(call: UsageCall): Promise<Reservation> {
    const estimate = this.estimate(call)
    const record: UsageRecord = {
      id: crypto.randomUUID(),
      imageId: call.imageId,
      at: nowSeconds(),
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
      ownerPid: this.opts.self.pid,
      ownerStartedEpoch: this.opts.self.startedEpoch,
    }
    await this.opts.store.reserve(record, [])
    let settled: Promise<void> | undefined
    return {
      id: record.id,
      estimate,
      settle: (end) => {
        settled ??= this.settle(record, end)
        return settled
      },
    }
  }

  /**
   * Settles calls left reserved by a process that is gone (killed between reservation and settlement): they are
   * `interrupted`, and may have been billed. Run at start-up; returns how many.
   */
  async recoverInterrupted(): Promise<number> {
    let count = 0
    for (const record of await this.opts.store.listReserved()) {
      if (isOwnerAlive(record, this.opts.self)) continue
      if (await this.settleRecord(record, { kind: "interrupted" })) count++
    }
    return count
  }

  /** The ledger entry of the call that made an image. */
  forImage(imageId: string): Promise<UsageRecord | undefined> {
    return this.opts.store.forImage(imageId)
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
