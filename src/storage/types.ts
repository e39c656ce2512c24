export type Origin = "generated" | "imported"

/** What a rerun of a generation needs besides the common fields (see regenerate_image). */
export interface StoredRequest {
  /** The model the call named; null: the provider's default. */
  model: string | null
  strength: number | null
  /** Reference images as resolved: gallery ids, or server file paths. */
  references: string[]
  mask: string | null
}

/** Where a generated image or job stands among its siblings and ancestors. Absent fields read as null. */
export interface Iteration {
  /** Jobs: the seed asked for (null: the provider chooses). Images: the seed used, when known. */
  seed?: number | null
  /** Shared by every image one call made. */
  batchId?: string | null
  /** Position in the batch, from 0. */
  batchIndex?: number | null
  /** The image (or failed job) a regenerate_image call reran. */
  regeneratedFrom?: string | null
  /** Null for edits and imports, which cannot be rerun. */
  request?: StoredRequest | null
}

/** One gallery image. Bytes live in the blob store under `originalFilename`. */
export interface ImageRecord extends Iteration {
  id: string
  prompt: string
  negativePrompt: string | null
  provider: string
  aspectRatio: string
  quality: string
  background: string
  contentType: string
  originalFilename: string
  originalSizeBytes: number
  width: number
  height: number
  providerMetadata: Record<string, unknown>
  /** ISO-8601 text exactly as written to the sidecar. */
  createdAt: string
  createdEpoch: number
  sourceImageIds: string[]
  origin: Origin
  originSource: string | null
}

export type JobStatus = "generating" | "completed" | "failed" | "cancelled"

/** A background generation. Rows outlive the process that started them. */
export interface JobRecord extends Iteration {
  id: string
  prompt: string
  provider: string
  negativePrompt: string | null
  aspectRatio: string
  quality: string
  background: string
  model: string | null
  status: JobStatus
  error: string | null
  createdEpoch: number
  completedEpoch: number | null
  progress: number
  progressMessage: string
  sourceImageIds: string[]
  /** The server running the job (docs/decisions.md#jobs-survive-restarts). */
  owner: string
  /** Epoch seconds until which the owner holds the job; it renews the lease while the job runs. */
  leaseExpiresEpoch: number
}

export interface ImageListQuery {
  origin?: Origin
  /** Newest first instead of insertion order. */
  newestFirst?: boolean
  limit?: number
  offset?: number
}

/** Gallery pages and search: every filter is optional and they combine with AND. */
export interface ImageSearchQuery {
  /** Each must appear in the prompt (as a phrase, tokenised like the index: case and accents ignored). */
  words?: string[]
  /** The last word also matches words it begins ("light" finds "lighthouse"). */
  prefixLast?: boolean
  origin?: Origin
  /** Exact provider name. */
  provider?: string
  /** Epoch seconds, inclusive. */
  since?: number
  /** Epoch seconds, inclusive. */
  until?: number
  /** Newest first (default), or best match first (bm25, then newest); relevance needs `words`. */
  order?: "newest" | "relevance"
  limit?: number
  offset?: number
}

export interface ImageStore {
  upsert(record: ImageRecord): Promise<void>
  insertMany(records: ImageRecord[]): Promise<number>
  get(id: string): Promise<ImageRecord | undefined>
  list(query?: ImageListQuery): Promise<ImageRecord[]>
  count(query?: Pick<ImageListQuery, "origin">): Promise<number>
  /** One page of the images matching `query`, newest first unless it asks for relevance. */
  search(query: ImageSearchQuery): Promise<ImageRecord[]>
  /** How many images match `query` (its order, limit and offset are ignored). */
  countMatching(query: ImageSearchQuery): Promise<number>
  delete(id: string): Promise<boolean>
  /** The images of a batch, by their place in it. */
  listBatch(batchId: string): Promise<ImageRecord[]>
}

export interface JobStore {
  insert(job: JobRecord): Promise<void>
  /** Inserts every job of a batch, or none. */
  insertMany(jobs: JobRecord[]): Promise<void>
  /** The jobs of a batch, by their place in it. */
  listBatch(batchId: string): Promise<JobRecord[]>
  get(id: string): Promise<JobRecord | undefined>
  updateProgress(id: string, progress: number, message: string): Promise<void>
  fail(id: string, error: string, at: number): Promise<void>
  /** Marks a job that is still generating as cancelled; false when it had already finished. */
  cancel(id: string, at: number): Promise<boolean>
  /**
   * Registers the finished image and marks the job completed in one transaction, unless the job is no longer
   * generating (cancelled meanwhile): then nothing is written and it returns false.
   */
  completeWithImage(id: string, image: ImageRecord, at: number): Promise<boolean>
  remove(id: string): Promise<void>
  /** Jobs whose status is not `completed`. */
  listUnfinished(): Promise<JobRecord[]>
  /**
   * Deletes completed jobs that finished before `completedBefore`, and failed or cancelled ones that finished before
   * `failedBefore` (epoch seconds). Running jobs are never dropped.
   */
  sweepFinished(cutoffs: { completedBefore: number; failedBefore: number }): Promise<void>
  /**
   * Extends to `until` the leases `owner` holds on the generating jobs among `ids`, and returns the ids it still
   * holds; a job missing from the answer stopped generating elsewhere (cancelled, or failed as interrupted).
   */
  renewLeases(owner: string, ids: readonly string[], until: number): Promise<string[]>
  /** Marks the job failed with `error` if it is still generating and its lease ran out before `now`. */
  failIfLeaseExpired(id: string, error: string, now: number): Promise<boolean>
}

export interface MetaStore {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
}

export type TransferKind = "download" | "upload"
export type TransferStatus = "available" | "in_flight" | "consumed"

/** One capability link. Times are epoch seconds; the token itself is never stored, only its SHA-256. */
export interface TransferRecord {
  tokenHash: string
  kind: TransferKind
  /** What the link reads or writes: an image id for downloads, `"upload"` (the origin_source) for uploads. */
  sinkHandle: string
  status: TransferStatus
  /** The link is dead from this moment on. */
  expiresAt: number
  /** While `in_flight`: when the claim may be taken over (a crashed handler). */
  leaseExpiresAt: number | null
  /** Bumped by every claim; only the holder of the current fence may complete or release. */
  fence: number
  createdAt: number
}

export type TransferClaimResult =
  | { outcome: "claimed"; record: TransferRecord }
  /** Another claim holds a live lease. */
  | { outcome: "conflict" }
  /** Unknown, expired, consumed or of the other kind: deliberately one answer. */
  | { outcome: "not_found" }

/** Each method is one atomic statement or transaction, so concurrent claims race safely (one wins). */
export interface TransferStore {
  insert(record: TransferRecord): Promise<void>
  get(tokenHash: string): Promise<TransferRecord | undefined>
  /** available (or in_flight with a lapsed lease), unexpired and of this kind → in_flight until `leaseUntil`. */
  claim(tokenHash: string, kind: TransferKind, now: number, leaseUntil: number): Promise<TransferClaimResult>
  /** in_flight under `fence` → consumed, expiry moved to min(expiry, `expiresBy`); false if the fence is stale. */
  complete(tokenHash: string, fence: number, expiresBy: number): Promise<boolean>
  /** in_flight under `fence` → available again; false if the fence is stale. */
  release(tokenHash: string, fence: number): Promise<boolean>
  /** Deletes links expired at `now`; returns how many. */
  sweep(now: number): Promise<number>
}

/** What became of a provider call; `reserved` while it runs. */
export type UsageOutcome = "reserved" | "completed" | "failed" | "cancelled" | "interrupted"

/**
 * How a settled call's cost was decided: `charged` (an image came back), `none` (the provider refused it),
 * `uncertain` (it ended without an answer and may have been billed); `pending` while reserved.
 */
export type UsageBilling = "pending" | "charged" | "none" | "uncertain"

/** One provider call in the usage ledger. Money is integer micro-dollars (USD × 1e6); null means unknown. */
export interface UsageRecord {
  id: string
  /** The generation the call belongs to (its job and first image id). */
  imageId: string
  /** When the call was reserved, epoch seconds: it counts in the UTC day and month of this moment. */
  at: number
  subject: string
  provider: string
  model: string | null
  /** What the provider bills by besides model and quality (`1536x1024`, `2K`), when it has such a size. */
  size: string | null
  quality: string
  /** Images the call asks for. */
  n: number
  outcome: UsageOutcome
  billing: UsageBilling
  /** Price × n when the call started; null when no price is known. Counts against budgets while reserved. */
  estimateMicros: number | null
  /** What the settled call costs; null while reserved or when no price is known. */
  costMicros: number | null
  settledAt: number | null
  /** The server that reserved it (its replica id); the call belongs to the job `imageId`. */
  ownerId: string
}

/** One budget a reservation must fit in: spending since `since` (for `subject`, or everyone) stays ≤ the limit. */
export interface UsageLimit {
  since: number
  subject?: string
  limitMicros: number
}

export type UsageReserveResult =
  | { ok: true }
  /** The first limit the call would pass (its index in `limits`), with what was already used against it. */
  | { ok: false; index: number; usedMicros: number }

export type UsageGrouping = "all" | "day" | "provider" | "model" | "subject"

export interface UsageTotalsQuery {
  /** Epoch seconds, inclusive. */
  since: number
  /** Epoch seconds, exclusive. */
  until: number
  subject?: string
}

/** Sums over one group of calls; the group's keys are set as `by` asks (`model` sets provider and model). */
export interface UsageTotals {
  day?: string
  provider?: string
  model?: string | null
  subject?: string
  calls: number
  images: number
  /** Settled costs (charged and uncertain). */
  costMicros: number
  /** The part of `costMicros` that is uncertain. */
  uncertainMicros: number
  /** Estimates of calls still running. */
  reservedMicros: number
  /** Settled calls whose price is unknown. */
  unknownCalls: number
}

/** The usage ledger. `reserve` is atomic against concurrent reservations, in this process and others. */
export interface UsageStore {
  /** Inserts the reservation unless it would take spending past one of `limits`; nothing is written then. */
  reserve(record: UsageRecord, limits: readonly UsageLimit[]): Promise<UsageReserveResult>
  /** Settles a reservation; false when it was not reserved (already settled, or unknown). */
  settle(id: string, settled: Pick<UsageRecord, "outcome" | "billing" | "costMicros" | "settledAt">): Promise<boolean>
  /** Spending since `since`: settled costs plus the estimates of open reservations, for one subject or everyone. */
  used(since: number, subject?: string): Promise<number>
  /** Calls still reserved, oldest first. */
  listReserved(): Promise<UsageRecord[]>
  /** The call that made this image, if the ledger has it. */
  forImage(imageId: string): Promise<UsageRecord | undefined>
  totals(query: UsageTotalsQuery, by: UsageGrouping): Promise<UsageTotals[]>
}

/** Everything the server keeps besides image bytes, as one driver (SQLite or PostgreSQL) implements it. */
export interface Store {
  readonly images: ImageStore
  readonly jobs: JobStore
  readonly meta: MetaStore
  readonly transfers: TransferStore
  readonly usage: UsageStore
  /** Resolves when the backend answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** Where image bytes and sidecars live. Names are flat file names. */
/** A blob opened for sending: its size, and its bytes as a stream, read only as they are consumed. */
export interface BlobBody {
  size: number
  body: ReadableStream<Uint8Array>
}

/** One blob in a listing, with when it was last written (S3's LastModified, a file's mtime). */
export interface BlobEntry {
  name: string
  modifiedMs: number
}

export interface BlobStore {
  /** Writes atomically: readers see the old content or the new, never a part. */
  write(name: string, bytes: Uint8Array | string): Promise<void>
  /**
   * The blob's bytes. With `into`, a store that knows the size first may read into the buffer `into(size)` returns
   * (a reused one, so a large read allocates nothing) and return the part it filled.
   */
  read(name: string, into?: (size: number) => Uint8Array): Promise<Uint8Array>
  readText(name: string): Promise<string>
  /** The blob's size and a stream of its bytes, so an answer need not hold it whole; fails before any byte is read. */
  stream(name: string): Promise<BlobBody>
  exists(name: string): Promise<boolean>
  /** Removes the file; a missing file is not an error. */
  remove(name: string): Promise<void>
  list(suffix: string): Promise<string[]>
  /** The blobs ending in `suffix` with their modification times, sorted by name (the orphan sweep). */
  entries(suffix: string): Promise<BlobEntry[]>
}

export type ClientAuthMethod = "none" | "client_secret_post" | "client_secret_basic"

/** An OAuth client registered through the oidc-proxy's /register. Times are seconds since the epoch. */
export interface ClientRecord {
  clientId: string
  /** SHA-256 (base64url) of the secret; absent for public clients. */
  secretHash?: string
  authMethod: ClientAuthMethod
  redirectUris: string[]
  grantTypes: string[]
  scope?: string
  /** The registration response's metadata, as sent back to the client (never the secret). */
  metadata: Record<string, unknown>
  createdAt: number
}

/** One refresh token, found by the SHA-256 of its `jti`. */
export interface RefreshRecord {
  tokenHash: string
  grantId: string
  clientId: string
  subject: string
  scopes: string[]
  expiresAt: number
}

export type Rotation = { status: "unknown" } | { status: "reused" | "rotated"; record: RefreshRecord }

/** The oidc-proxy's state: registered clients and the refresh tokens issued to them. */
export interface OAuthStore {
  addClient(client: ClientRecord): Promise<void>
  getClient(clientId: string): Promise<ClientRecord | undefined>
  markClientUsed(clientId: string, at: number): Promise<void>
  /** Drops never-used registrations older than `before`, and the oldest ones past `keep`; returns how many. */
  pruneUnusedClients(before: number, keep: number): Promise<number>
  addRefreshToken(record: RefreshRecord, at: number): Promise<void>
  /** A refresh token's record, spent or not. */
  findRefreshToken(tokenHash: string): Promise<RefreshRecord | undefined>
  /**
   * Spends a refresh token of `clientId` at once (one atomic step): `rotated` the first time, `reused` when it
   * was spent before, `unknown` when it does not exist, belongs to another client or has expired.
   */
  rotateRefreshToken(tokenHash: string, clientId: string, at: number): Promise<Rotation>
  /** Revokes every refresh token of a sign-in; returns how many. */
  revokeGrant(grantId: string): Promise<number>
  /** Deletes expired refresh tokens; returns how many. */
  sweep(at: number): Promise<number>
}
