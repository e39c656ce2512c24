import type { GenerateResult, ProgressCallback } from "@/providers/types"
import type { JobRecord, JobStore } from "@/storage"
import { raceAbort } from "@/util/abort"
import { redact } from "@/util/redact"
import { AppError } from "../errors"
import type { ImageRegistry } from "../images/registry"
import { nowSeconds } from "../time"
import { JobCancelledError, JobEvents } from "./events"
import { JobLeases } from "./leases"
import type { ReplicaIdentity } from "./owner"

export const JOB_TTL_SECONDS = 600
export const INTERRUPTED_MESSAGE = "interrupted by a server restart"
export const SHUTDOWN_MESSAGE = "interrupted by a server shutdown"
export const CONTENT_POLICY_MESSAGE = "Content policy rejected the prompt. Try rephrasing or use a different provider."
export const INTERNAL_FAILURE_MESSAGE = "[server] Internal error while generating; the server log has the details."

export type JobParams = Pick<
  JobRecord,
  "prompt" | "provider" | "negativePrompt" | "aspectRatio" | "quality" | "background" | "model" | "sourceImageIds"
>

export type JobRunner = (signal: AbortSignal, onProgress: ProgressCallback) => Promise<GenerateResult>

export interface JobServiceOptions {
  store: JobStore
  registry: ImageRegistry
  self: ReplicaIdentity
  /** Seconds a job's lease lasts (IMAGE_GENERATION_MCP_JOB_LEASE_S); this server renews it while the job runs. */
  leaseS: number
  /** Called after this server reported a job interrupted (its lease ran out, or it no longer runs here). */
  onInterrupted?: () => void
  log?: { warning(message: string, fields?: Record<string, unknown>): void }
}

interface Running {
  controller: AbortController
  done: Promise<void>
}

export type CancelOutcome =
  | { outcome: "cancelled" }
  | { outcome: "finished"; status: JobRecord["status"] }
  | { outcome: "unknown" }

/** Thrown inside a commit when the job stopped generating meanwhile (cancelled): the files are removed again. */
class NoLongerGenerating extends Error {}

/** Background generations whose state lives in the store, so it survives restarts. */
export class JobService {
  private readonly running = new Map<string, Running>()
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
      onLost: (id) => this.running.get(id)?.controller.abort(new JobCancelledError(`generation ${id} was cancelled`)),
    })
  }

  /** Records the job, then runs it in the background. Resolves as soon as the job is recorded. */
  async start(id: string, params: JobParams, run: JobRunner): Promise<JobRecord> {
    const job: JobRecord = {
      id,
      ...params,
      status: "generating",
      error: null,
      createdEpoch: nowSeconds(),
      completedEpoch: null,
      progress: 0,
      progressMessage: "",
      owner: this.opts.self.id,
      leaseExpiresEpoch: this.leases.expiry(),
    }
    const controller = new AbortController()
    const inserted = this.opts.store.insert(job)
    const done = inserted
      .then(() => this.execute(job, run, controller.signal))
      .catch(() => {})
      .finally(() => {
        this.running.delete(id)
        this.leases.untrack(id)
      })
    // Registered before the insert settles, so a concurrent read never mistakes the new job for an orphan.
    this.running.set(id, { controller, done })
    this.leases.track(id)
    await inserted
    return job
  }

  private async execute(job: JobRecord, run: JobRunner, signal: AbortSignal): Promise<void> {
    const { store, registry } = this.opts
    try {
      const onProgress: ProgressCallback = (value, message) => {
        const fraction = Math.min(1, Math.max(0, value))
        store.updateProgress(job.id, fraction, message).catch(() => {})
        this.events.emit(job.id, { kind: "progress", fraction, message })
      }
      const result = await raceAbort(run(signal, onProgress), signal)
      signal.throwIfAborted()
      const record = await registry.prepare({
        ...job,
        bytes: result.data,
        contentType: result.contentType,
        providerMetadata: result.metadata,
      })
      await registry.commit(record, async () => {
        if (!(await store.completeWithImage(job.id, record, nowSeconds()))) throw new NoLongerGenerating()
      })
    } catch (error) {
      if (!(error instanceof NoLongerGenerating || signal.reason instanceof JobCancelledError)) {
        const message = signal.aborted ? SHUTDOWN_MESSAGE : failureMessage(error)
        // The user gets the summary; the log keeps the provider's own words (redacted by the logger).
        const raw = error instanceof Error ? error.message : String(error)
        this.opts.log?.warning("Generation failed", { image_id: job.id, provider: job.provider, error: raw })
        await store.fail(job.id, message, nowSeconds()).catch(() => {})
      }
    } finally {
      const final = await store.get(job.id).catch(() => undefined)
      if (final) this.events.emit(job.id, { kind: "done", job: final })
    }
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
    this.running.get(id)?.controller.abort(new JobCancelledError(`generation ${id} was cancelled`))
    return { outcome: "cancelled" }
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
      await running.done
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

  /** Jobs not yet completed (generating, failed or cancelled), oldest first. */
  async listUnfinished(): Promise<JobRecord[]> {
    await this.sweep()
    const jobs = await this.opts.store.listUnfinished()
    return Promise.all(jobs.map((job) => this.reconcile(job)))
  }

  remove(id: string): Promise<void> {
    return this.opts.store.remove(id)
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
    const settled = () => Promise.all([...this.running.values()].map((r) => r.done))
    await Promise.race([settled(), Bun.sleep(graceMs)])
    for (const { controller } of this.running.values()) controller.abort()
    await Promise.race([settled(), Bun.sleep(1000)])
    this.leases.stop()
  }

  /** Resolves when every job running now has finished. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done))
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
    let failed = true
    if (ours) await this.opts.store.fail(job.id, INTERRUPTED_MESSAGE, at)
    else failed = await this.opts.store.failIfLeaseExpired(job.id, INTERRUPTED_MESSAGE, at)
    if (failed) {
      this.opts.onInterrupted?.()
      return { ...job, status: "failed", error: INTERRUPTED_MESSAGE, completedEpoch: at }
    }
    return (await this.opts.store.get(job.id)) ?? job
  }

  /** Drops expired finished jobs; at most once a second, since status polls call it on every request. */
  private async sweep(): Promise<void> {
    const now = nowSeconds()
    if (now - this.lastSweep < 1) return
    this.lastSweep = now
    await this.opts.store.sweepFinished(now - JOB_TTL_SECONDS)
  }
}

/**
 * The reason every reader of a failed job sees; anything that is not an `AppError` is a bug and stays in the log.
 * An unreachable provider says which service and address it tried (docs/decisions.md#unreachable-names-the-service).
 */
function failureMessage(error: unknown): string {
  if (!(error instanceof AppError)) return INTERNAL_FAILURE_MESSAGE
  if (error.kind === "content_policy") return CONTENT_POLICY_MESSAGE
  return redact(error.message)
}
