import { type IterationRow, iterationFromRow, iterationToRow } from "./iteration-rows"
import type { ClientAuthMethod, ClientRecord, ImageRecord, JobRecord, RefreshRecord, TransferRecord } from "./types"

/** Row shapes shared by the SQL drivers: snake_case columns, JSON lists and objects as text. */
export interface ImageRow extends IterationRow {
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
}

export interface JobRow extends IterationRow {
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
  owner_id: string
  lease_expires_epoch: number
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
    owner: row.owner_id,
    leaseExpiresEpoch: row.lease_expires_epoch,
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
    owner_id: job.owner,
    lease_expires_epoch: job.leaseExpiresEpoch,
    ...iterationToRow(job),
  }
}

export interface TransferRow {
  token_hash: string
  kind: TransferRecord["kind"]
  sink_handle: string
  status: TransferRecord["status"]
  expires_at: number
  lease_expires_at: number | null
  fence: number
  created_at: number
}

export function transferFromRow(row: TransferRow): TransferRecord {
  return {
    tokenHash: row.token_hash,
    kind: row.kind,
    sinkHandle: row.sink_handle,
    status: row.status,
    expiresAt: row.expires_at,
    leaseExpiresAt: row.lease_expires_at,
    fence: row.fence,
    createdAt: row.created_at,
  }
}

/** Column names in table order, for INSERT statements. */
export const IMAGE_COLUMNS: readonly string[] = Object.keys(imageToRow(sampleImage()))
export const JOB_COLUMNS: readonly string[] = Object.keys(jobToRow(sampleJob()))

function sampleImage(): ImageRecord {
  return {
    id: "",
    prompt: "",
    negativePrompt: null,
    provider: "",
    aspectRatio: "",
    quality: "",
    background: "",
    contentType: "",
    originalFilename: "",
    originalSizeBytes: 0,
    width: 0,
    height: 0,
    providerMetadata: {},
    createdAt: "",
    createdEpoch: 0,
    sourceImageIds: [],
    origin: "generated",
    originSource: null,
  }
}

function sampleJob(): JobRecord {
  return {
    id: "",
    prompt: "",
    provider: "",
    negativePrompt: null,
    aspectRatio: "",
    quality: "",
    background: "",
    model: null,
    status: "generating",
    error: null,
    createdEpoch: 0,
    completedEpoch: null,
    progress: 0,
    progressMessage: "",
    sourceImageIds: [],
    owner: "",
    leaseExpiresEpoch: 0,
  }
}

export interface ClientRow {
  client_id: string
  secret_hash: string | null
  auth_method: ClientAuthMethod
  redirect_uris: string
  grant_types: string
  scope: string | null
  metadata: string
  created_at: number
}

export interface RefreshRow {
  token_hash: string
  grant_id: string
  client_id: string
  subject: string
  scope: string
  expires_at: number
  rotated_at: number | null
}

export function clientFromRow(row: ClientRow): ClientRecord {
  const client: ClientRecord = {
    clientId: row.client_id,
    authMethod: row.auth_method,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    grantTypes: JSON.parse(row.grant_types) as string[],
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
  }
  if (row.secret_hash !== null) client.secretHash = row.secret_hash
  if (row.scope !== null) client.scope = row.scope
  return client
}

/** The values of an `oauth_clients` INSERT, in column order (client_id … created_at). */
export function clientToParams(
  c: ClientRecord,
): [string, string | null, string, string, string, string | null, string, number] {
  return [
    c.clientId,
    c.secretHash ?? null,
    c.authMethod,
    JSON.stringify(c.redirectUris),
    JSON.stringify(c.grantTypes),
    c.scope ?? null,
    JSON.stringify(c.metadata),
    c.createdAt,
  ]
}

export function refreshFromRow(row: RefreshRow): RefreshRecord {
  return {
    tokenHash: row.token_hash,
    grantId: row.grant_id,
    clientId: row.client_id,
    subject: row.subject,
    scopes: row.scope.split(" ").filter(Boolean),
    expiresAt: row.expires_at,
  }
}
