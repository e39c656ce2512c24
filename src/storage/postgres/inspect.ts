import { SQL } from "bun"
import { ENV_PREFIX } from "@/config/env"
import { redact } from "@/util/redact"
import type { StorageFinding } from "../checks"
import { DatabaseUnavailableError, isConnectionError } from "./errors"

/** Connects once and reads the schema version and the number of images, changing nothing. */
export async function inspectPostgres(url: string): Promise<StorageFinding> {
  const label = "database"
  const { host, pathname } = new URL(url)
  const where = `PostgreSQL ${host}${pathname}`
  const sql = new SQL(url, { max: 1, connectionTimeout: 10 })
  try {
    const [schema] = await sql<{ present: boolean }[]>`SELECT to_regclass('schema_version') IS NOT NULL AS present`
    if (!schema?.present) return { ok: true, label, detail: `${where} (reachable; tables created on first start)` }
    const [row] = await sql<{ version: number; images: number }[]>`SELECT
      (SELECT version FROM schema_version) AS version, (SELECT count(*)::int FROM images) AS images`
    return { ok: true, label, detail: `${where} (schema ${row?.version}, ${row?.images ?? 0} images)` }
  } catch (error) {
    const reason = isConnectionError(error) ? new DatabaseUnavailableError(error).detail : (error as Error).message
    return {
      ok: false,
      label,
      detail: redact(`${where}: ${reason}`),
      fix: `Check ${ENV_PREFIX}DATABASE_URL (host, port, database, user and password) and that the server accepts connections.`,
    }
  } finally {
    await sql.close({ timeout: 0 })
  }
}
