import type { SQL } from "bun"
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
import type { ImageRecord, ImageStore, JobRecord, JobStore, MetaStore } from "../types"
import { bm25Sql, idf, Params, phraseCondition, phrases, searchColumns, searchWhere } from "./search"

const SELECT_IMAGE = `SELECT ${IMAGE_COLUMNS.map((c) => `images.${c}`).join(", ")} FROM images`
const IMAGE_WRITE_COLUMNS = [...IMAGE_COLUMNS, "search_text", "search_lexemes", "search_length"]
const UPSERT_IMAGE = `INSERT INTO images (${IMAGE_WRITE_COLUMNS.join(", ")})
  VALUES (${IMAGE_WRITE_COLUMNS.map((c, i) => `$${i + 1}${c === "search_lexemes" ? "::tsvector" : ""}`).join(", ")})
  ON CONFLICT (image_id) DO UPDATE SET ${IMAGE_WRITE_COLUMNS.filter((c) => c !== "image_id")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}`
/** One statement (atomic by itself, one round trip) inserting `count` jobs. */
const insertJobs = (count: number) =>
  `INSERT INTO jobs (${JOB_COLUMNS.join(", ")}) VALUES ${Array.from(
    { length: count },
    (_, row) => `(${JOB_COLUMNS.map((_, i) => `$${row * JOB_COLUMNS.length + i + 1}`).join(", ")})`,
  ).join(", ")}`
/**
 * Completes a generating job and stores its image in one statement: the job row is locked first, so a concurrent
 * cancel either lands before (nothing is written) or waits; the image row is written only when the job was
 * generating. `$1` is the job, `$2` the time, then the image's values.
 */
const COMPLETE_WITH_IMAGE = `WITH done AS (UPDATE jobs SET status = 'completed', completed_epoch = $2, progress = 1
    WHERE job_id = $1 AND status = 'generating' RETURNING job_id)
  INSERT INTO images (${IMAGE_WRITE_COLUMNS.join(", ")})
  SELECT ${IMAGE_WRITE_COLUMNS.map((c, i) => `$${i + 3}${c === "search_lexemes" ? "::tsvector" : ""}`).join(", ")} FROM done
  ON CONFLICT (image_id) DO UPDATE SET ${IMAGE_WRITE_COLUMNS.filter((c) => c !== "image_id")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}`

/** The values of `UPSERT_IMAGE` for one record. */
function imageValues(record: ImageRecord): unknown[] {
  const row: Record<string, unknown> = { ...imageToRow(record), ...searchColumns(record.prompt) }
  return IMAGE_WRITE_COLUMNS.map((c) => row[c])
}

const page = (params: Params, limit?: number, offset?: number) =>
  `LIMIT ${params.add(limit ?? null)} OFFSET ${params.add(offset ?? 0)}`

export function postgresImages(sql: SQL): ImageStore {
  const rows = (text: string, params: Params) =>
    sql.unsafe<ImageRow[]>(text, params.values).then((found) => found.map(imageFromRow))
  return {
    async upsert(record) {
      await sql.unsafe(UPSERT_IMAGE, imageValues(record))
    },
    async insertMany(records) {
      // Returned, not awaited one by one: Bun pipelines the statements of the transaction.
      await sql.begin(async (tx) => records.map((record) => tx.unsafe(UPSERT_IMAGE, imageValues(record))))
      return records.length
    },
    async get(id) {
      const [row] = await sql.unsafe<ImageRow[]>(`${SELECT_IMAGE} WHERE image_id = $1`, [id])
      return row ? imageFromRow(row) : undefined
    },
    async list(query = {}) {
      const params = new Params()
      const where = query.origin ? `WHERE origin = ${params.add(query.origin)}` : ""
      const order = query.newestFirst ? "ORDER BY created_epoch DESC, seq DESC" : "ORDER BY seq"
      return rows(`${SELECT_IMAGE} ${where} ${order} ${page(params, query.limit, query.offset)}`, params)
    },
    async count(query = {}) {
      const [row] = query.origin
        ? await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM images WHERE origin = ${query.origin}`
        : await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM images`
      return row?.n ?? 0
    },
    async delete(id) {
      return (await sql`DELETE FROM images WHERE image_id = ${id}`).count > 0
    },
    async listBatch(batchId) {
      const params = new Params()
      return rows(`${SELECT_IMAGE} WHERE batch_id = ${params.add(batchId)} ORDER BY batch_index, seq`, params)
    },
    async search(query) {
      const params = new Params()
      const where = searchWhere(query, params)
      const list = phrases(query)
      if (query.order !== "relevance" || list.length === 0) {
        const order = "ORDER BY images.created_epoch DESC, images.seq DESC"
        return rows(`${SELECT_IMAGE} ${where} ${order} ${page(params, query.limit, query.offset)}`, params)
      }
      // bm25 as FTS5 computes it needs the image count, the mean prompt length and each phrase's number of hits.
      const stats = new Params()
      const hits = list.map((p) => `(SELECT count(*) FROM images WHERE ${phraseCondition(p, stats)})::int`)
      const [row] = await sql.unsafe<{ total: number; tokens: number; hits: number[] }[]>(
        `SELECT count(*)::int AS total, coalesce(sum(search_length), 0)::float8 AS tokens,
          json_build_array(${hits.join(", ")}) AS hits FROM images`,
        stats.values,
      )
      const total = row?.total ?? 0
      const weights = list.map((_, i) => idf(total, row?.hits[i] ?? 0))
      const score = bm25Sql(list, weights, total ? (row?.tokens ?? 0) / total : 1, params)
      const order = `ORDER BY ${score} DESC, images.created_epoch DESC, images.seq DESC`
      return rows(`${SELECT_IMAGE} ${where} ${order} ${page(params, query.limit, query.offset)}`, params)
    },
    async countMatching(query) {
      const params = new Params()
      const text = `SELECT count(*)::int AS n FROM images ${searchWhere(query, params)}`
      const [row] = await sql.unsafe<{ n: number }[]>(text, params.values)
      return row?.n ?? 0
    },
  }
}

function jobValues(job: JobRecord): unknown[] {
  const row = jobToRow(job) as unknown as Record<string, unknown>
  return JOB_COLUMNS.map((c) => row[c])
}

export function postgresJobs(sql: SQL): JobStore {
  return {
    async insert(job) {
      await sql.unsafe(insertJobs(1), jobValues(job))
    },
    async insertMany(list) {
      if (list.length) await sql.unsafe(insertJobs(list.length), list.flatMap(jobValues))
    },
    async listBatch(batchId) {
      const found = await sql<JobRow[]>`SELECT * FROM jobs WHERE batch_id = ${batchId} ORDER BY batch_index, seq`
      return found.map(jobFromRow)
    },
    async get(id) {
      const [row] = await sql<JobRow[]>`SELECT * FROM jobs WHERE job_id = ${id}`
      return row ? jobFromRow(row) : undefined
    },
    async updateProgress(id, progress, message) {
      await sql`UPDATE jobs SET progress = ${progress}, progress_message = ${message}
        WHERE job_id = ${id} AND status = 'generating'`
    },
    async fail(id, error, at) {
      await sql`UPDATE jobs SET status = 'failed', error = ${error}, completed_epoch = ${at}
        WHERE job_id = ${id} AND status = 'generating'`
    },
    async cancel(id, at) {
      const result = await sql`UPDATE jobs SET status = 'cancelled', error = 'cancelled', completed_epoch = ${at}
        WHERE job_id = ${id} AND status = 'generating'`
      return result.count > 0
    },
    async completeWithImage(id, image, at) {
      return (await sql.unsafe(COMPLETE_WITH_IMAGE, [id, at, ...imageValues(image)])).count > 0
    },
    async remove(id) {
      await sql`DELETE FROM jobs WHERE job_id = ${id}`
    },
    async listUnfinished() {
      const found = await sql<JobRow[]>`SELECT * FROM jobs WHERE status != 'completed' ORDER BY created_epoch, seq`
      return found.map(jobFromRow)
    },
    async sweepFinished({ completedBefore, failedBefore }) {
      await sql`DELETE FROM jobs WHERE (status = 'completed' AND completed_epoch < ${completedBefore})
        OR (status IN ('failed', 'cancelled') AND completed_epoch < ${failedBefore})`
    },
    async renewLeases(owner, ids, until) {
      if (ids.length === 0) return []
      const held = await sql<{ job_id: string }[]>`UPDATE jobs SET lease_expires_epoch = ${until}
        WHERE owner_id = ${owner} AND status = 'generating' AND job_id = ANY(${sql.array([...ids], "TEXT")})
        RETURNING job_id`
      return held.map((row) => row.job_id)
    },
    async failIfLeaseExpired(id, error, now) {
      const result = await sql`UPDATE jobs SET status = 'failed', error = ${error}, completed_epoch = ${now}
        WHERE job_id = ${id} AND status = 'generating' AND lease_expires_epoch < ${now}`
      return result.count > 0
    },
  }
}

export function postgresMeta(sql: SQL): MetaStore {
  return {
    async get(key) {
      const [row] = await sql<{ value: string }[]>`SELECT value FROM meta WHERE key = ${key}`
      return row?.value
    },
    async set(key, value) {
      await sql`INSERT INTO meta (key, value) VALUES (${key}, ${value})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`
    },
  }
}
