import type { GenerateResult, ProgressCallback } from "@/providers/types"
import type { JobRecord, JobStore } from "@/storage"
import { raceAbort } from "@/util/abort"
import { redact } from "@/util/redact"
import { AppError, InternalError } from "../errors"
import type { ImageRegistry } from "../images/registry"
import { nowSeconds } from "../time"
import { JobCancelledError, type JobEvents } from "./events"

export const SHUTDOWN_MESSAGE = "interrupted by a server shutdown"
export const CONTENT_POLICY_MESSAGE = "Content policy rejected the prompt. Try rephrasing or use a different provider."
export const INTERNAL_FAILURE_MESSAGE = "[server] Internal error while generating; the server log has the details."

/** Makes the images of one upstream request, in the order of its jobs. */
export type GroupRunner = (signal: AbortSignal, onProgress: ProgressCallback) => Promise<GenerateResult[]>

/** One upstream request and the jobs (images) it fills (docs/decisions.md#batches). */
export interface RunningGroup {
  jobs: JobRecord[]
  run: GroupRunner
  controller: AbortController
  /** Jobs not cancelled yet; when the last one is, the request is aborted. */
  open: Set<string>
  /** Waited for a free slot before it ran. */
  queued: boolean
  done: PromiseWithResolvers<void>
}

export interface GroupDeps {
  store: JobStore
  registry: ImageRegistry
  events: JobEvents
  log?: { warning(message: string, fields?: Record<string, unknown>): void }
}

/** Thrown inside a commit when the job stopped generating meanwhile (cancelled): the files are removed again. */
class NoLongerGenerating extends Error {}

/**
 * Runs one request and stores each image it made under its job. A failure of the request fails every job of it that
 * still generates; a bad image fails only its own job. Jobs cancelled meanwhile keep nothing.
 */
export async function runGroup(group: RunningGroup, deps: GroupDeps): Promise<void> {
  const { store, events } = deps
  const { signal } = group.controller
  const ids = group.jobs.map((job) => job.id)
  try {
    if (group.open.size === 0) return
    signal.throwIfAborted()
    if (group.queued) await Promise.all([...group.open].map((id) => store.updateProgress(id, 0, "")))
    const onProgress: ProgressCallback = (value, message) => {
      const fraction = Math.min(1, Math.max(0, value))
      for (const id of group.open) {
        store.updateProgress(id, fraction, message).catch(() => {})
        events.emit(id, { kind: "progress", fraction, message })
      }
    }
    const results = await raceAbort(group.run(signal, onProgress), signal)
    signal.throwIfAborted()
    if (results.length < group.jobs.length) {
      throw new InternalError("short_batch", `The provider made ${results.length} of ${group.jobs.length} images.`)
    }
    await Promise.all(group.jobs.map((job, i) => storeImage(job, results[i] as GenerateResult, deps)))
  } catch (error) {
    if (!(signal.reason instanceof JobCancelledError)) {
      const message = signal.aborted ? SHUTDOWN_MESSAGE : failureMessage(error)
      logFailure(deps, group.jobs[0] as JobRecord, ids, error)
      await Promise.all(ids.map((id) => store.fail(id, message, nowSeconds()).catch(() => {})))
    }
  }
}

async function storeImage(job: JobRecord, result: GenerateResult, deps: GroupDeps): Promise<void> {
  const { store, registry } = deps
  try {
    const reported = result.metadata.seed
    const record = await registry.prepare({
      ...job,
      bytes: result.data,
      contentType: result.contentType,
      providerMetadata: result.metadata,
      // The seed used: the provider's report (it may have drawn one), else the one asked for.
      seed: typeof reported === "number" && Number.isInteger(reported) ? reported : (job.seed ?? null),
      request: job.request ?? null,
    })
    await registry.commit(record, async () => {
      if (!(await store.completeWithImage(job.id, record, nowSeconds()))) throw new NoLongerGenerating()
    })
  } catch (error) {
    if (error instanceof NoLongerGenerating) return
    logFailure(deps, job, [job.id], error)
    await store.fail(job.id, failureMessage(error), nowSeconds()).catch(() => {})
  }
}

/** The user gets the summary; the log keeps the provider's own words (redacted by the logger). */
function logFailure(deps: GroupDeps, job: JobRecord, ids: string[], error: unknown): void {
  const raw = error instanceof Error ? error.message : String(error)
  const image = ids.length === 1 ? { image_id: ids[0] } : { image_ids: ids }
  deps.log?.warning("Generation failed", { ...image, provider: job.provider, error: raw })
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
