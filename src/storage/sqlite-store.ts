import type { Database } from "bun:sqlite"
import { openDatabase } from "./db"
import {
  ftsMatch,
  type ImageRow,
  imageFromRow,
  imageToRow,
  insertSql,
  type JobRow,
  jobFromRow,
  jobToRow,
  searchWhere,
} from "./sqlite-rows"
import { sqliteUsage } from "./sqlite-usage"
import type {
  ImageListQuery,
  ImageRecord,
  ImageStore,
  JobRecord,
  JobStore,
  MetaStore,
  Store,
  TransferRecord,
  TransferStore,
} from "./types"

type Params = Record<string, string | number | null>

const IMAGE_COLUMNS = Object.keys(imageToRow(sampleImage()))
const JOB_COLUMNS = Object.keys(jobToRow(sampleJob()))

/** The SQLite implementation of `Store`. bun:sqlite is synchronous; the async interface leaves room for others. */
export function createSqliteStore(path: string): Store {
  const db = openDatabase(path)
  const upsertImage = db.query<never, Params>(insertSql("images", IMAGE_COLUMNS, "image_id"))
  const insertJob = db.query<never, Params>(insertSql("jobs", JOB_COLUMNS))
  const completeJob = db.query<never, Params>(
    "UPDATE jobs SET status = 'completed', completed_epoch = $at, progress = 1 WHERE job_id = $id AND status = 'generating'",
  )
  const jobStatus = db.query<{ status: string }, [string]>("SELECT status FROM jobs WHERE job_id = ?")

  const images: ImageStore = {
    async upsert(record) {
      upsertImage.run(imageToRow(record) as unknown as Params)
    },
    async insertMany(records) {
      db.transaction(() => {
        for (const record of records) upsertImage.run(imageToRow(record) as unknown as Params)
      }).immediate()
      return records.length
    },
    async get(id) {
      const row = db.query<ImageRow, [string]>("SELECT * FROM images WHERE image_id = ?").get(id)
      return row ? imageFromRow(row) : undefined
    },
    async list(query: ImageListQuery = {}) {
      const where = query.origin ? "WHERE origin = $origin" : ""
      const order = query.newestFirst ? "ORDER BY created_epoch DESC, rowid DESC" : "ORDER BY rowid"
      const sql = `SELECT * FROM images ${where} ${order} LIMIT $limit OFFSET $offset`
      const params: Params = { limit: query.limit ?? -1, offset: query.offset ?? 0 }
      if (query.origin) params.origin = query.origin
      return db.query<ImageRow, Params>(sql).all(params).map(imageFromRow)
    },
    async count(query = {}) {
      const sql = query.origin
        ? "SELECT count(*) AS n FROM images WHERE origin = ?"
        : "SELECT count(*) AS n FROM images"
      const params = query.origin ? [query.origin] : []
      return db.query<{ n: number }, string[]>(sql).get(...params)?.n ?? 0
    },
    async delete(id) {
      return db.query("DELETE FROM images WHERE image_id = ?").run(id).changes > 0
    },
    async search(query) {
      const page = { limit: query.limit ?? -1, offset: query.offset ?? 0 }
      if (query.order === "relevance" && query.words?.length) {
        const { where, params } = searchWhere({ ...query, words: undefined }, false)
        const match = `images_fts MATCH $match${where ? ` AND ${where.slice("WHERE ".length)}` : ""}`
        const sql = `SELECT images.* FROM images_fts JOIN images ON images.seq = images_fts.rowid WHERE ${match}
          ORDER BY images_fts.rank, images.created_epoch DESC, images.seq DESC LIMIT $limit OFFSET $offset`
        const all = { ...params, ...page, match: ftsMatch(query.words, query.prefixLast) }
        return db.query<ImageRow, Params>(sql).all(all).map(imageFromRow)
      }
      const { where, params } = searchWhere(query, true)
      const sql = `SELECT * FROM images ${where} ORDER BY created_epoch DESC, seq DESC LIMIT $limit OFFSET $offset`
      return db
        .query<ImageRow, Params>(sql)
        .all({ ...params, ...page })
        .map(imageFromRow)
    },
    async countMatching(query) {
      const { words, prefixLast, origin, provider, since, until } = query
      const filtered = [origin, provider, since, until].some((value) => value !== undefined)
      if (words?.length && !filtered) {
        // The index alone answers an unfiltered search.
        const sql = "SELECT count(*) AS n FROM images_fts WHERE images_fts MATCH ?"
        return db.query<{ n: number }, [string]>(sql).get(ftsMatch(words, prefixLast))?.n ?? 0
      }
      const { where, params } = searchWhere(query, false)
      return db.query<{ n: number }, Params>(`SELECT count(*) AS n FROM images ${where}`).get(params)?.n ?? 0
    },
  }

  const jobs: JobStore = {
    async insert(job) {
      insertJob.run(jobToRow(job) as unknown as Params)
    },
    async get(id) {
      const row = db.query<JobRow, [string]>("SELECT * FROM jobs WHERE job_id = ?").get(id)
      return row ? jobFromRow(row) : undefined
    },
    async updateProgress(id, progress, message) {
      db.query("UPDATE jobs SET progress = ?, progress_message = ? WHERE job_id = ? AND status = 'generating'").run(
        progress,
        message,
        id,
      )
    },
    async fail(id, error, at) {
      db.query(
        "UPDATE jobs SET status = 'failed', error = ?, completed_epoch = ? WHERE job_id = ? AND status = 'generating'",
      ).run(error, at, id)
    },
    async cancel(id, at) {
      const sql =
        "UPDATE jobs SET status = 'cancelled', error = 'cancelled', completed_epoch = ? WHERE job_id = ? AND status = 'generating'"
      return db.query(sql).run(at, id).changes > 0
    },
    async completeWithImage(id, image, at) {
      return db
        .transaction(() => {
          if (jobStatus.get(id)?.status !== "generating") return false
          upsertImage.run(imageToRow(image) as unknown as Params)
          completeJob.run({ id, at })
          return true
        })
        .immediate()
    },
    async remove(id) {
      db.query("DELETE FROM jobs WHERE job_id = ?").run(id)
    },
    async listUnfinished() {
      return db
        .query<JobRow, []>("SELECT * FROM jobs WHERE status != 'completed' ORDER BY created_epoch, rowid")
        .all()
        .map(jobFromRow)
    },
    async sweepFinished(before) {
      db.query("DELETE FROM jobs WHERE status != 'generating' AND completed_epoch < ?").run(before)
    },
  }

  const meta: MetaStore = {
    async get(key) {
      return db.query<{ value: string }, [string]>("SELECT value FROM meta WHERE key = ?").get(key)?.value
    },
    async set(key, value) {
      db.query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
        key,
        value,
      )
    },
  }

  let closed = false
  return {
    images,
    jobs,
    meta,
    transfers: sqliteTransfers(db),
    usage: sqliteUsage(db),
    async ping() {
      db.query("SELECT 1").get()
    },
    close() {
      if (closed) return
      closed = true
      closeQuietly(db)
    },
  }
}

/** A transfer-token store in its own SQLite file (IMAGE_GENERATION_MCP_KV_STORE_URL); ":memory:" works too. */
export function createSqliteTransferStore(path: string): TransferStore & { close(): void } {
  const db = openDatabase(path)
  return { ...sqliteTransfers(db), close: () => closeQuietly(db) }
}

interface TransferRow {
  token_hash: string
  kind: TransferRecord["kind"]
  sink_handle: string
  status: TransferRecord["status"]
  expires_at: number
  lease_expires_at: number | null
  fence: number
  created_at: number
}

function sqliteTransfers(db: Database): TransferStore {
  const fromRow = (row: TransferRow): TransferRecord => ({
    tokenHash: row.token_hash,
    kind: row.kind,
    sinkHandle: row.sink_handle,
    status: row.status,
    expiresAt: row.expires_at,
    leaseExpiresAt: row.lease_expires_at,
    fence: row.fence,
    createdAt: row.created_at,
  })
  const select = db.query<TransferRow, [string]>("SELECT * FROM transfer_tokens WHERE token_hash = ?")
  // One statement: of any number of concurrent claims, exactly one sees the row claimable and takes it.
  const take = db.query<TransferRow, Params>(
    `UPDATE transfer_tokens SET status = 'in_flight', lease_expires_at = $lease, fence = fence + 1
     WHERE token_hash = $hash AND kind = $kind AND expires_at > $now
       AND (status = 'available' OR (status = 'in_flight' AND lease_expires_at <= $now))
     RETURNING *`,
  )
  const claim = db.transaction((hash: string, kind: string, now: number, lease: number) => {
    const row = take.get({ hash, kind, now, lease })
    if (row) return { outcome: "claimed" as const, record: fromRow(row) }
    const other = select.get(hash)
    const live = other?.kind === kind && other.expires_at > now && other.status === "in_flight"
    return { outcome: live ? ("conflict" as const) : ("not_found" as const) }
  })

  return {
    async insert(record) {
      db.query(
        `INSERT INTO transfer_tokens (token_hash, kind, sink_handle, status, expires_at, lease_expires_at, fence, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        record.tokenHash,
        record.kind,
        record.sinkHandle,
        record.status,
        record.expiresAt,
        record.leaseExpiresAt,
        record.fence,
        record.createdAt,
      )
    },
    async get(tokenHash) {
      const row = select.get(tokenHash)
      return row ? fromRow(row) : undefined
    },
    async claim(tokenHash, kind, now, leaseUntil) {
      return claim.immediate(tokenHash, kind, now, leaseUntil)
    },
    async complete(tokenHash, fence, expiresBy) {
      const sql = `UPDATE transfer_tokens SET status = 'consumed', lease_expires_at = NULL, expires_at = min(expires_at, ?)
        WHERE token_hash = ? AND status = 'in_flight' AND fence = ?`
      return db.query(sql).run(expiresBy, tokenHash, fence).changes > 0
    },
    async release(tokenHash, fence) {
      const sql = `UPDATE transfer_tokens SET status = 'available', lease_expires_at = NULL
        WHERE token_hash = ? AND status = 'in_flight' AND fence = ?`
      return db.query(sql).run(tokenHash, fence).changes > 0
    },
    async sweep(now) {
      return db.query("DELETE FROM transfer_tokens WHERE expires_at <= ?").run(now).changes
    },
  }
}

function closeQuietly(db: Database): void {
  try {
    db.run("PRAGMA optimize")
  } catch {
    // optimize is advisory; closing is what matters
  } finally {
    db.close()
  }
}

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
    ownerPid: 0,
    ownerStartedEpoch: 0,
  }
}
