import type { JobRecord } from "@/storage"
import type { ImageRegistry } from "../images/registry"
import { CANCELLED_MESSAGE, type JobService } from "../jobs/jobs"
import { nowSeconds } from "../time"

type Status = Record<string, unknown> & { status: string; image_id: string }

/**
 * `check_generation_status` for a batch id (docs/decisions.md#batches): each image's own status, in batch order, and
 * the batch's: "generating" while any image is, then "completed" when at least one image was made, else "failed" (or
 * "cancelled" when every image was cancelled).
 */
export async function batchStatus(
  batchId: string,
  jobs: JobService,
  images: ImageRegistry,
): Promise<Record<string, unknown>> {
  const [running, made] = await Promise.all([jobs.listBatch(batchId), images.listBatch(batchId)])
  const members = new Map<string, { index: number; status: Status; createdEpoch?: number }>()
  for (const image of made) {
    members.set(image.id, { index: image.batchIndex ?? 0, status: { status: "completed", image_id: image.id } })
  }
  for (const job of running) {
    if (job.status === "completed") continue
    members.set(job.id, { index: job.batchIndex ?? 0, status: jobStatus(job), createdEpoch: job.createdEpoch })
  }
  if (members.size === 0) return { status: "unknown", batch_id: batchId, error: "No batch with this ID." }
  const ordered = [...members.values()].sort((a, b) => a.index - b.index)
  const statuses = ordered.map((m) => m.status)
  const count = (status: string) => statuses.filter((s) => s.status === status).length
  const counts = {
    completed: count("completed"),
    generating: count("generating"),
    failed: count("failed"),
    cancelled: count("cancelled"),
  }
  const status = counts.generating
    ? "generating"
    : counts.completed
      ? "completed"
      : counts.failed
        ? "failed"
        : "cancelled"
  const progress = statuses.reduce((sum, s) => sum + (s.status === "generating" ? Number(s.progress) : 1), 0)
  const started = Math.min(...ordered.map((m) => m.createdEpoch ?? Number.POSITIVE_INFINITY))
  return {
    status,
    batch_id: batchId,
    image_ids: statuses.map((s) => s.image_id),
    ...counts,
    progress: Math.round((progress / statuses.length) * 1000) / 1000,
    ...(counts.generating &&
      Number.isFinite(started) && {
        elapsed_seconds: Math.round((nowSeconds() - started) * 10) / 10,
      }),
    images: statuses,
  }
}

/** An unfinished job's status, as `check_generation_status` gives it for its image id. */
export function jobStatus(job: JobRecord): Status {
  if (job.status === "generating") {
    return {
      status: "generating",
      image_id: job.id,
      progress: job.progress,
      progress_message: job.progressMessage,
      elapsed_seconds: Math.round((nowSeconds() - job.createdEpoch) * 10) / 10,
    }
  }
  if (job.status === "failed") return { status: "failed", image_id: job.id, error: job.error || "Unknown error" }
  if (job.status === "cancelled") return { status: "cancelled", image_id: job.id, error: CANCELLED_MESSAGE }
  return { status: job.status, image_id: job.id }
}

/** `cancel_generation` for a batch id: every image still generating is cancelled; the others are left as they are. */
export async function cancelBatch(
  batchId: string,
  jobs: JobService,
  images: ImageRegistry,
): Promise<Record<string, unknown> | undefined> {
  const members = await jobs.listBatch(batchId)
  if (members.length === 0 && (await images.listBatch(batchId)).length === 0) return undefined
  const cancelled: string[] = []
  for (const job of members) {
    if (job.status === "generating" && (await jobs.cancel(job.id)).outcome === "cancelled") cancelled.push(job.id)
  }
  return { status: cancelled.length ? "cancelled" : "finished", batch_id: batchId, cancelled_image_ids: cancelled }
}
