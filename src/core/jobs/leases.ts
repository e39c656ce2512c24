import type { JobStore } from "@/storage"
import { nowSeconds } from "../time"

export interface JobLeaseOptions {
  store: JobStore
  owner: string
  /** How long a lease lasts, in seconds; it is renewed well before it runs out. */
  leaseS: number
  /** A job this server runs stopped generating elsewhere (cancelled on another server, or failed as interrupted). */
  onLost(id: string): void
  log?: { warning(message: string, fields?: Record<string, unknown>): void }
}

/** Renewals come this often (a third of the lease, at most every 2 s so a cancel elsewhere arrives quickly). */
export function renewIntervalMs(leaseS: number): number {
  return Math.max(50, Math.min((leaseS * 1000) / 3, 2000))
}

/**
 * Keeps the leases of the jobs this server runs (docs/decisions.md#jobs-survive-restarts): while any runs, one
 * statement renews them all, and a job the database no longer lets it hold is reported through `onLost`. A
 * renewal that fails (the database is down) is retried at the next tick; if the lease runs out meanwhile, another
 * server may report the job interrupted, and the next renewal then gives it up here.
 */
export class JobLeases {
  private readonly held = new Set<string>()
  private timer: ReturnType<typeof setInterval> | undefined
  private renewing = false
  private failing = false
  private readonly opts: JobLeaseOptions

  constructor(opts: JobLeaseOptions) {
    this.opts = opts
  }

  /** The lease a job starts with. */
  expiry(): number {
    return nowSeconds() + this.opts.leaseS
  }

  track(id: string): void {
    this.held.add(id)
    if (this.timer) return
    this.timer = setInterval(() => void this.renew(), renewIntervalMs(this.opts.leaseS))
    this.timer.unref()
  }

  untrack(id: string): void {
    this.held.delete(id)
    if (this.held.size === 0) this.stop()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.held.size === 0) return
    this.renewing = true
    const ids = [...this.held]
    try {
      const kept = new Set(await this.opts.store.renewLeases(this.opts.owner, ids, this.expiry()))
      this.failing = false
      for (const id of ids) if (!kept.has(id) && this.held.has(id)) this.opts.onLost(id)
    } catch (error) {
      if (!this.failing) this.opts.log?.warning("Could not renew the leases of running generations", { error })
      this.failing = true
    } finally {
      this.renewing = false
    }
  }
}
