import type { Database } from "bun:sqlite"
import {
  IMAGE_COLUMNS,
  type ImageRow,
  imageFromRow,
  imageToRow,
  JOB_COLUMNS,
  type JobRow,
  jobFromRow,
  jobToRow,
} from "../rows"
import type { ImageListQuery, ImageStore, JobStore, MetaStore, Store, TransferStore } from "../types"
import { ftsMatch, insertSql, searchWhere } from "./search-sql"
import { sqliteUsage } from "./usage"

type Params = Record<string, string | number | null>

/**
 * The SQLite implementation of `Store` over an open database (closed with the store). bun:sqlite is synchronous,
 * so every statement runs inside the call; `transfers` may live elsewhere (KV_STORE_URL).
 */
export function createSqliteStore(db: Database, transfers: TransferStore): Store {
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
    async listBatch(batchId) {
      const sql = "SELECT * FROM images WHERE batch_id = ? ORDER BY batch_index, seq"
      return db.query<ImageRow, [string]>(sql).all(batchId).map(imageFromRow)
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
    async insertMany(list) {
      db.transaction(() => {
        for (const job of list) insertJob.run(jobToRow(job) as unknown as Params)
      }).immediate()
    },
    async listBatch(batchId) {
      const sql = "SELECT * FROM jobs WHERE batch_id = ? ORDER BY batch_index, rowid"
      return db.query<JobRow, [string]>(sql).all(batchId).map(jobFromRow)
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
    async sweepFinished({ completedBefore, failedBefore }) {
      db.query(
        `DELETE FROM jobs WHERE (status = 'completed' AND completed_epoch < $completed)
           OR (status IN ('failed', 'cancelled') AND completed_epoch < $failed)`,
      ).run({ completed: completedBefore, failed: failedBefore })
    },
    async renewLeases(owner, ids, until) {
      if (ids.length === 0) return []
      const sql = `UPDATE jobs SET lease_expires_epoch = ? WHERE owner_id = ? AND status = 'generating'
        AND job_id IN (SELECT value FROM json_each(?)) RETURNING job_id`
      return db
        .query<{ job_id: string }, [number, string, string]>(sql)
        .all(until, owner, JSON.stringify(ids))
        .map((row) => row.job_id)
    },
    async failIfLeaseExpired(id, error, now) {
      const sql = `UPDATE jobs SET status = 'failed', error = ?, completed_epoch = ?
        WHERE job_id = ? AND status = 'generating' AND lease_expires_epoch < ?`
      return db.query(sql).run(error, now, id, now).changes > 0
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
    transfers,
    usage: sqliteUsage(db),
    async ping() {
      db.query("SELECT 1").get()
    },
    async close() {
      if (closed) return
      closed = true
      closeQuietly(db)
    },
  }
}

/** Closes a database after letting SQLite refresh its planner statistics. */
export function closeQuietly(db: Database): void {
  try {
    db.run("PRAGMA optimize")
  } catch {
    // optimize is advisory; closing is what matters
  } finally {
    db.close()
  }
}
