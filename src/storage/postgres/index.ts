import { SQL } from "bun"
import { ConfigError } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"
import { registerSecret } from "@/util/redact"
import type { EventRows } from "../event-log"
import type { OAuthStore, Store } from "../types"
import { DatabaseUnavailableError, guarded, isConnectionError } from "./errors"
import { postgresEventRows } from "./events"
import { migrate } from "./migrate"
import { postgresOAuth } from "./oauth"
import { postgresImages, postgresJobs, postgresMeta } from "./store"
import { postgresTransfers } from "./transfers"
import { postgresUsage } from "./usage"

/** The oldest server whose SQL this driver uses (`regexp_count` for search ranking). */
const MIN_SERVER_VERSION = 150000
const POOL_SIZE = 10
const CONNECT_TIMEOUT_S = 10

export interface PostgresDatabase {
  store: Store
  oauth: OAuthStore
  eventRows: EventRows
  /** host:port/database, for logs. */
  where: string
}

/**
 * Connects a pool to `url`, checks the server and brings the schema up to date. Every store shares the pool; a
 * lost connection fails the calls made meanwhile with `DatabaseUnavailableError`, and the pool connects again by
 * itself once the server is back.
 */
export async function openPostgres(url: string): Promise<PostgresDatabase> {
  const parsed = new URL(url)
  registerSecret(decodeURIComponent(parsed.password))
  const where = `${parsed.host}${parsed.pathname}`
  const sql = new SQL(url, { max: POOL_SIZE, connectionTimeout: CONNECT_TIMEOUT_S, idleTimeout: 60 })
  try {
    const [row] = await sql<{ version: number }[]>`SELECT current_setting('server_version_num')::int AS version`
    if ((row?.version ?? 0) < MIN_SERVER_VERSION) {
      throw new Error(`the server runs PostgreSQL ${row?.version}; version 15 or newer is needed`)
    }
    await migrate(sql)
  } catch (error) {
    await sql.close({ timeout: 0 })
    const reason = isConnectionError(error) ? new DatabaseUnavailableError(error).detail : (error as Error).message
    throw new ConfigError(`Cannot open the database at postgres://${where} (${ENV_PREFIX}DATABASE_URL): ${reason}`, {
      cause: error,
    })
  }
  let closed = false
  const store: Store = {
    images: guarded(postgresImages(sql)),
    jobs: guarded(postgresJobs(sql)),
    meta: guarded(postgresMeta(sql)),
    transfers: guarded(postgresTransfers(sql)),
    usage: guarded(postgresUsage(sql)),
    ping: guarded({ ping: async () => void (await sql`SELECT 1`) }).ping,
    async close() {
      if (closed) return
      closed = true
      await sql.close({ timeout: 5 })
    },
  }
  return { store, oauth: guarded(postgresOAuth(sql)), eventRows: guarded(postgresEventRows(sql)), where }
}
