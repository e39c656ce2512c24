import type { GenerateResult, ProgressCallback } from "@/providers/types"
import type { JobRecord, JobStore } from "@/storage"
import type { ImageRegistry } from "../images/registry"
import { nowSeconds } from "../time"
import { JobCancelledError, JobEvents } from "./events"
import { type GroupRunner, type RunningGroup, runGroup } from "./groups"
import { JobLeases } from "./leases"
import type { ReplicaIdentity } from "./owner"

export type { GroupRunner } from "./groups"
export { CONTENT_POLICY_MESSAGE, INTERNAL_FAILURE_MESSAGE, SHUTDOWN_MESSAGE } from "./groups"

/** How long a completed job is kept (its image stays); failed and cancelled ones: `failedJobTtlS`. */
export const JOB_TTL_SECONDS = 600
/** The default of IMAGE_GENERATION_MCP_FAILED_JOB_TTL_S (docs/decisions.md#failures-kept). */
export const FAILED_JOB_TTL_SECONDS = 86_400
export const INTERRUPTED_MESSAGE = "interrupted by a server restart"
export const CANCELLED_MESSAGE = "The generation was cancelled; no image was made."
/** What a job waiting for a free request slot of its batch says about itself. */
export const QUEUED_MESSAGE = "waiting for an earlier image of this batch to finish"

export type JobParams = Pick<
  JobRecord,
  | "prompt"
  | "provider"
  | "negativePrompt"
  | "aspectRatio"
  | "quality"
  | "background"
  | "model"
  | "sourceImageIds"
  | "seed"
  | "batchId"
  | "batchIndex"
  | "regeneratedFrom"
  | "request"
>

export type JobRunner = (signal: AbortSignal, onProgress: ProgressCallback) => Promise<GenerateResult>

/** One job of a batch: its id and what it was asked for. */
export interface NewJob {
  id: string
  params: JobParams
}

/** One upstream request: the jobs it fills, in order, and how to make their images. */
export interface JobGroup {
  ids: string[]
  run: GroupRunner
}

export interface JobServiceOptions {
  store: JobStore
  registry: ImageRegistry
  self: ReplicaIdentity
  /** Seconds a job's lease lasts (IMAGE_GENERATION_MCP_JOB_LEASE_S); this server renews it while the job runs. */
  leaseS: number
  /** Called after this server reported a job interrupted (its lease ran out, or it no longer runs here). */
  onInterrupted?: () => void
  /** Seconds a failed or cancelled job stays reportable. @default FAILED_JOB_TTL_SECONDS */
  failedJobTtlS?: number
  log?: { warning(message: string, fields?: Record<string, unknown>): void }
}

export type CancelOutcome =
  | { outcome: "cancelled" }
  | { outcome: "finished"; status: JobRecord["status"] }
  | { outcome: "unknown" }

/** Background generations whose state lives in the store, so it survives restarts. */
export class JobService {
  /** The group running (or queued) for each job id of this process. */
  private readonly running = new Map<string, RunningGroup>()
  private readonly events = new JobEvents()
  private readonly leases: JobLeases
  private lastSweep = 0

  private readonly opts: JobServiceOptions

  constructor(opts: JobServiceOptions) {
    this.opts = opts
    this.leases = new JobLeases({
      store: opts.store,
      owner: opts.self.id,
      leaseS: opts.leaseS,
      log: opts.log,
      // Cancelled on another server (or given up as interrupted there): stop the provider call here too.
      onLost: (id) => this.stopHere(id),
    })
  }

  /** Records the job, then runs it in the background. Resolves as soon as the job is recorded. */
  async start(id: string, params: JobParams, run: JobRunner): Promise<JobRecord> {
    const [job] = await this.startBatch([{ id, params }], [{ ids: [id], run: async (s, p) => [await run(s, p)] }], 1)
    return job as JobRecord
  }

  /**
   * Records every job of a batch, then runs its groups in the background, at most `concurrency` at once (the others
   * wait, saying so in their progress message). Resolves as soon as the jobs are recorded.
   */
  async startBatch(entries: NewJob[], groups: JobGroup[], concurrency: number): Promise<JobRecord[]> {
    const now = nowSeconds()
    const { self } = this.opts
    const jobs = new Map<string, JobRecord>()
    for (const { id, params } of entries) {
      jobs.set(id, {
        id,
        ...params,
        status: "generating",
        error: null,
        createdEpoch: now,
        completedEpoch: null,
        progress: 0,
        progressMessage: "",
        owner: self.id,
        leaseExpiresEpoch: this.leases.expiry(),
      })
    }
    const running: RunningGroup[] = groups.map((group, index) => {
      const members = group.ids.map((id) => jobs.get(id) as JobRecord)
      const queued = index >= concurrency
      if (queued) for (const job of members) job.progressMessage = QUEUED_MESSAGE
      return {
        jobs: members,
        run: group.run,
        controller: new AbortController(),
        open: new Set(group.ids),
        queued,
        done: Promise.withResolvers<void>(),
      }
    })
    // Registered before the insert settles, so a concurrent read never mistakes a new job for an orphan.
    for (const group of running) for (const id of group.open) this.running.set(id, group)
    for (const id of jobs.keys()) this.leases.track(id)
    const inserted = this.opts.store.insertMany([...jobs.values()])
    const queue = [...running]
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        await runGroup(group, { ...this.opts, events: this.events }).catch(() => {})
        this.finish(group)
      }
    }
    inserted.then(
      () => Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), running.length) }, worker)),
      () => {
        for (const group of running) this.finish(group)
      },
    )
    await inserted
    return [...jobs.values()]
  }

  private finish(group: RunningGroup): void {
    for (const job of group.jobs) {
      if (this.running.get(job.id) === group) this.running.delete(job.id)
      this.leases.untrack(job.id)
    }
    group.done.resolve()
  }

  /**
   * Stops a generation: one running here is aborted (the abort reaches the provider's HTTP call); one running on
   * another server sharing the database is marked cancelled, and that server aborts it at its next lease renewal.
   */
  async cancel(id: string): Promise<CancelOutcome> {
    const job = await this.get(id)
    if (!job) return { outcome: "unknown" }
    if (job.status !== "generating") return { outcome: "finished", status: job.status }
    if (!(await this.opts.store.cancel(id, nowSeconds()))) {
      return { outcome: "finished", status: (await this.opts.store.get(id))?.status ?? "completed" }
    }
    this.stopHere(id)
    return { outcome: "cancelled" }
  }

  /** A job stopped generating (cancelled, here or elsewhere): its request goes on while another image of it is wanted. */
  private stopHere(id: string): void {
    const group = this.running.get(id)
    group?.open.delete(id)
    // Its image for this job is then discarded by the commit (the job no longer generates).
    if (group?.open.size === 0) group.controller.abort(new JobCancelledError(`generation ${id} was cancelled`))
  }

  /**
   * Resolves with the job's final record once it stops generating, reporting progress on the way. Jobs run by
   * another process are reported as they are now.
   */
  async watch(id: string, onProgress: (fraction: number, message: string) => void): Promise<JobRecord | undefined> {
    const running = this.running.get(id)
    if (!running) return this.get(id)
    const unsubscribe = this.events.on(id, (event) => {
      if (event.kind === "progress") onProgress(event.fraction, event.message)
    })
    try {
      await running.done.promise
    } finally {
      unsubscribe()
    }
    return this.opts.store.get(id)
  }

  /** The job after the TTL sweep, with jobs whose server stopped renewing their lease reported as interrupted. */
  async get(id: string): Promise<JobRecord | undefined> {
    await this.sweep()
    const job = await this.opts.store.get(id)
    return job && (await this.reconcile(job))
  }

  /** The jobs of a batch still kept, by their place in it. */
  async listBatch(batchId: string): Promise<JobRecord[]> {
    await this.sweep()
    const jobs = await this.opts.store.listBatch(batchId)
    return Promise.all(jobs.map((job) => this.reconcile(job)))
  }

  /** Jobs not yet completed (generating, failed or cancelled), oldest first. */
  async listUnfinished(): Promise<JobRecord[]> {
    await this.sweep()
    const jobs = await this.opts.store.listUnfinished()
    return Promise.all(jobs.map((job) => this.reconcile(job)))
  }

  remove(id: string): Promise<void> {
    return this.opts.store.remove(id)
  }

  /** Deletes a failed or cancelled job before it expires; returns it, or undefined when there is none such. */
  async deleteStopped(id: string): Promise<JobRecord | undefined> {
    const job = await this.get(id)
    if (job?.status !== "failed" && job?.status !== "cancelled") return undefined
    await this.opts.store.remove(id)
    return job
  }

  /** Marks jobs whose lease has run out (their server is gone) as failed. Run at start-up. */
  async recoverInterrupted(): Promise<number> {
    let count = 0
    for (const job of await this.opts.store.listUnfinished()) {
      if ((await this.reconcile(job)).status === "failed" && job.status === "generating") count++
    }
    return count
  }

  /**
   * Lets running jobs finish for up to `graceMs`, then aborts the rest (recorded as interrupted by a shutdown)
   * and waits briefly for them to record it.
   */
  async shutdown(graceMs = 3000): Promise<void> {
    const groups = () => [...new Set(this.running.values())]
    const settled = () => Promise.all(groups().map((group) => group.done.promise))
    await Promise.race([settled(), Bun.sleep(graceMs)])
    for (const { controller } of groups()) controller.abort()
    await Promise.race([settled(), Bun.sleep(1000)])
    this.leases.stop()
  }

  /** Resolves when every job running now has finished. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...new Set(this.running.values())].map((g) => g.done.promise))
  }

  /**
   * A generating job nobody runs is reported interrupted: one of this server's that no longer runs here at once,
   * another server's once its lease has run out (that server stopped renewing it: it died or lost the database).
   */
  private async reconcile(job: JobRecord): Promise<JobRecord> {
    if (job.status !== "generating" || this.running.has(job.id)) return job
    const at = nowSeconds()
    const ours = job.owner === this.opts.self.id
    if (!ours && job.leaseExpiresEpoch >= at) return job
    if (ours) {
      // The row may have been read just before the job finished here: what it became is read again.
      await this.opts.store.fail(job.id, INTERRUPTED_MESSAGE, at)
      const now = (await this.opts.store.get(job.id)) ?? job
      if (now.status === "failed" && now.error === INTERRUPTED_MESSAGE) this.opts.onInterrupted?.()
      return now
    }
    if (await this.opts.store.failIfLeaseExpired(job.id, INTERRUPTED_MESSAGE, at)) {
      this.opts.onInterrupted?.()
      return { ...job, status: "failed", error: INTERRUPTED_MESSAGE, completedEpoch: at }
    }
    return (await this.opts.store.get(job.id)) ?? job
  }

  /** Drops expired finished jobs (docs/decisions.md#failures-kept); at most once a second, since status polls call it on every request. */
  private async sweep(): Promise<void> {
    const now = nowSeconds()
    if (now - this.lastSweep < 1) return
    this.lastSweep = now
    await this.opts.store.sweepFinished({
      completedBefore: now - JOB_TTL_SECONDS,
      failedBefore: now - (this.opts.failedJobTtlS ?? FAILED_JOB_TTL_SECONDS),
    })
  }
}
