import type { ImageRecord, ImageSearchQuery, Iteration, JobRecord, StoredRequest } from "./types"

export interface ImageRow {
  image_id: string
  prompt: string
  negative_prompt: string | null
  provider: string
  aspect_ratio: string
  quality: string
  background: string
  content_type: string
  original_filename: string
  original_size_bytes: number
  width: number
  height: number
  provider_metadata: string
  created_at: string
  created_epoch: number
  source_image_ids: string
  origin: "generated" | "imported"
  origin_source: string | null
  seed: number | null
  batch_id: string | null
  batch_index: number | null
  regenerated_from: string | null
  request: string | null
}

export interface JobRow {
  job_id: string
  prompt: string
  provider: string
  negative_prompt: string | null
  aspect_ratio: string
  quality: string
  background: string
  model: string | null
  status: JobRecord["status"]
  error: string | null
  created_epoch: number
  completed_epoch: number | null
  progress: number
  progress_message: string
  source_image_ids: string
  owner_pid: number
  owner_started_epoch: number
  seed: number | null
  batch_id: string | null
  batch_index: number | null
  regenerated_from: string | null
  request: string | null
}

interface IterationRow {
  seed: number | null
  batch_id: string | null
  batch_index: number | null
  regenerated_from: string | null
  request: string | null
}

function iterationFromRow(row: IterationRow): Iteration {
  return {
    seed: row.seed,
    batchId: row.batch_id,
    batchIndex: row.batch_index,
    regeneratedFrom: row.regenerated_from,
    request: row.request === null ? null : (JSON.parse(row.request) as StoredRequest),
  }
}

function iterationToRow(record: Iteration): IterationRow {
  return {
    seed: record.seed ?? null,
    batch_id: record.batchId ?? null,
    batch_index: record.batchIndex ?? null,
    regenerated_from: record.regeneratedFrom ?? null,
    request: record.request ? JSON.stringify(record.request) : null,
  }
}

export function imageFromRow(row: ImageRow): ImageRecord {
  return {
    id: row.image_id,
    prompt: row.prompt,
    negativePrompt: row.negative_prompt,
    provider: row.provider,
    aspectRatio: row.aspect_ratio,
    quality: row.quality,
    background: row.background,
    contentType: row.content_type,
    originalFilename: row.original_filename,
    originalSizeBytes: row.original_size_bytes,
    width: row.width,
    height: row.height,
    providerMetadata: JSON.parse(row.provider_metadata),
    createdAt: row.created_at,
    createdEpoch: row.created_epoch,
    sourceImageIds: JSON.parse(row.source_image_ids),
    origin: row.origin,
    originSource: row.origin_source,
    ...iterationFromRow(row),
  }
}

export function imageToRow(image: ImageRecord): ImageRow {
  return {
    image_id: image.id,
    prompt: image.prompt,
    negative_prompt: image.negativePrompt,
    provider: image.provider,
    aspect_ratio: image.aspectRatio,
    quality: image.quality,
    background: image.background,
    content_type: image.contentType,
    original_filename: image.originalFilename,
    original_size_bytes: image.originalSizeBytes,
    width: image.width,
    height: image.height,
    provider_metadata: JSON.stringify(image.providerMetadata),
    created_at: image.createdAt,
    created_epoch: image.createdEpoch,
    source_image_ids: JSON.stringify(image.sourceImageIds),
    origin: image.origin,
    origin_source: image.originSource,
    ...iterationToRow(image),
  }
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.job_id,
    prompt: row.prompt,
    provider: row.provider,
    negativePrompt: row.negative_prompt,
    aspectRatio: row.aspect_ratio,
    quality: row.quality,
    background: row.background,
    model: row.model,
    status: row.status,
    error: row.error,
    createdEpoch: row.created_epoch,
    completedEpoch: row.completed_epoch,
    progress: row.progress,
    progressMessage: row.progress_message,
    sourceImageIds: JSON.parse(row.source_image_ids),
    ownerPid: row.owner_pid,
    ownerStartedEpoch: row.owner_started_epoch,
    ...iterationFromRow(row),
  }
}

export function jobToRow(job: JobRecord): JobRow {
  return {
    job_id: job.id,
    prompt: job.prompt,
    provider: job.provider,
    negative_prompt: job.negativePrompt,
    aspect_ratio: job.aspectRatio,
    quality: job.quality,
    background: job.background,
    model: job.model,
    status: job.status,
    error: job.error,
    created_epoch: job.createdEpoch,
    completed_epoch: job.completedEpoch,
    progress: job.progress,
    progress_message: job.progressMessage,
    source_image_ids: JSON.stringify(job.sourceImageIds),
    owner_pid: job.ownerPid,
    owner_started_epoch: job.ownerStartedEpoch,
    ...iterationToRow(job),
  }
}

/** `INSERT … (cols) VALUES ($cols)` for a row object's keys. */
export function insertSql(table: string, columns: readonly string[], upsertKey?: string): string {
  const names = columns.join(", ")
  const values = columns.map((c) => `$${c}`).join(", ")
  const base = `INSERT INTO ${table} (${names}) VALUES (${values})`
  if (!upsertKey) return base
  const updates = columns
    .filter((c) => c !== upsertKey)
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")
  return `${base} ON CONFLICT(${upsertKey}) DO UPDATE SET ${updates}`
}

/**
 * An FTS5 query from plain words: each is a quoted string (FTS5 tokenises it as a phrase, so no word can inject
 * operators or columns), all must match, and the last may be a prefix. Control characters end an FTS5 string early,
 * so they are dropped.
 */
export function ftsMatch(words: readonly string[], prefixLast = false): string {
  const phrases = words.map((word) => `"${word.replace(/\p{Cc}/gu, " ").replaceAll('"', '""')}"`)
  return `${phrases.join(" ")}${prefixLast && phrases.length ? "*" : ""}`
}

export interface SearchSql {
  where: string
  params: Record<string, string | number>
}

/**
 * The WHERE clause for an `ImageSearchQuery` over `images`. For pages (`forPage`), `+` keeps the planner off the
 * origin index and the FTS rowid list, so it walks `created_epoch` newest first and stops at the page end instead of
 * sorting every match; counts use whichever index is narrowest.
 */
export function searchWhere(query: ImageSearchQuery, forPage: boolean): SearchSql {
  const plus = forPage ? "+" : ""
  const conditions: string[] = []
  const params: SearchSql["params"] = {}
  if (query.words?.length) {
    conditions.push(`${plus}images.seq IN (SELECT rowid FROM images_fts WHERE images_fts MATCH $match)`)
    params.match = ftsMatch(query.words, query.prefixLast)
  }
  if (query.origin) {
    conditions.push(`${plus}images.origin = $origin`)
    params.origin = query.origin
  }
  if (query.provider !== undefined) {
    conditions.push("images.provider = $provider")
    params.provider = query.provider
  }
  if (query.since !== undefined) {
    conditions.push("images.created_epoch >= $since")
    params.since = query.since
  }
  if (query.until !== undefined) {
    conditions.push("images.created_epoch <= $until")
    params.until = query.until
  }
  return { where: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", params }
}
