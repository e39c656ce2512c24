import type { ImageRecord, JobRecord } from "@/storage"
import { isoTimestamp } from "../time"
import { metadataUri, resourceTemplate, viewUri } from "./ids"

/** A completed image as `image://list` and `search_images` show it. */
export function imageListItem(record: ImageRecord): Record<string, unknown> {
  return {
    image_id: record.id,
    status: "completed",
    origin: record.origin,
    origin_source: record.originSource,
    provider: record.provider,
    content_type: record.contentType,
    original_dimensions: [record.width, record.height],
    original_uri: viewUri(record.id),
    metadata_uri: metadataUri(record.id),
    resource_template: resourceTemplate(record.id),
    prompt: record.prompt,
    created_at: record.createdAt,
  }
}

/** A completed image on a gallery page; `thumbnail_b64` is a 128 px WebP (null if the original is unreadable). */
export function galleryImageItem(record: ImageRecord, thumbnailB64: string | null): Record<string, unknown> {
  return {
    image_id: record.id,
    status: "completed",
    prompt: record.prompt,
    provider: record.provider,
    dimensions: [record.width, record.height],
    created_at: record.createdAt,
    thumbnail_b64: thumbnailB64,
    content_type: record.contentType,
    origin: record.origin,
  }
}

/** An unfinished generation on a gallery page (generating, failed with its error, or cancelled): no thumbnail yet. */
export function galleryJobItem(job: JobRecord): Record<string, unknown> {
  return {
    image_id: job.id,
    status: job.status,
    prompt: job.prompt,
    provider: job.provider,
    progress: job.progress,
    progress_message: job.progressMessage,
    ...(job.status === "failed" && { error: job.error || "Unknown error" }),
  }
}

/** An unfinished generation as `image://list` shows it. */
export function pendingListItem(job: JobRecord): Record<string, unknown> {
  return {
    image_id: job.id,
    status: job.status,
    provider: job.provider,
    prompt: job.prompt,
    progress: job.progress,
    progress_message: job.progressMessage,
    original_uri: viewUri(job.id),
    resource_template: resourceTemplate(job.id),
    created_at: isoTimestamp(job.createdEpoch),
  }
}
