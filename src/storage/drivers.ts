import { ConfigError } from "@/config/config"
import { ENV_PREFIX } from "@/config/env"
import { createFileBlobStore } from "./file-blobs"
import type { DatabaseDriver, StorageSettings } from "./index"
import { openPostgres } from "./postgres"
import { openS3BlobStore } from "./s3-blobs"
import { openSqlite, type SqliteDatabase } from "./sqlite"
import type { BlobStore } from "./types"

/** What a database driver opens: every store it can hold, over its own connections. */
export interface OpenedDatabase extends SqliteDatabase {
  driver: DatabaseDriver
  where: string
}

type DatabaseOpener = (url: string, settings: StorageSettings) => Promise<OpenedDatabase>
type BlobOpener = (url: string, settings: StorageSettings) => Promise<BlobStore>

const postgres: DatabaseOpener = async (url) => ({ ...(await openPostgres(url)), driver: "postgresql" })

/** Database drivers by the scheme of IMAGE_GENERATION_MCP_DATABASE_URL; unset is the SQLite file at DB_PATH. */
const DATABASE_DRIVERS: Record<string, DatabaseOpener> = { "postgres:": postgres, "postgresql:": postgres }

/** Blob drivers by the scheme of IMAGE_GENERATION_MCP_BLOB_STORE_URL; unset is files in SCRATCH_DIR. */
const BLOB_DRIVERS: Record<string, BlobOpener> = {
  "s3:": async (url, settings) => {
    try {
      return openS3BlobStore(url, settings.blobStoreEnv ?? {})
    } catch (error) {
      throw new ConfigError(`${ENV_PREFIX}BLOB_STORE_URL=${redactUrl(url)}: ${(error as Error).message}`, {
        cause: error,
      })
    }
  },
}

/** The main database `settings` name: the SQLite file at DB_PATH, or the driver of DATABASE_URL. */
export async function openMainDatabase(settings: StorageSettings): Promise<OpenedDatabase> {
  const url = settings.databaseUrl
  if (url === undefined) {
    const db = openOrExplain(() => openSqlite(settings.dbPath), "database", settings.dbPath, "DB_PATH")
    return { ...db, driver: "sqlite", where: settings.dbPath }
  }
  const opener = DATABASE_DRIVERS[new URL(url).protocol]
  if (!opener) throw new ConfigError(`${ENV_PREFIX}DATABASE_URL names a database driver that is not available.`)
  return opener(url, settings)
}

/** The blob store `settings` name (used by `openStorage`, and by `doctor` to probe a bucket). */
export async function openBlobStore(settings: StorageSettings): Promise<BlobStore> {
  const url = settings.blobStoreUrl
  if (url === undefined) return createFileBlobStore(settings.scratchDir)
  const scheme = new URL(url).protocol
  const opener = BLOB_DRIVERS[scheme]
  if (!opener) {
    const name = scheme.slice(0, -1).toUpperCase()
    throw new ConfigError(
      `${ENV_PREFIX}BLOB_STORE_URL=${redactUrl(url)}: ${name} driver not available in this build; unset it to keep images in the scratch dir.`,
    )
  }
  return opener(url, settings)
}

/** Runs `open`; a failure becomes a `ConfigError` naming what could not be opened, where, and the setting. */
export function openOrExplain<T>(open: () => T, what: string, path: string, setting: string): T {
  try {
    return open()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ConfigError(`Cannot open the ${what} at ${path} (${ENV_PREFIX}${setting}): ${reason}`, { cause: error })
  }
}

/** A URL for logs: scheme, host and path, never userinfo or a query. */
export function redactUrl(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`
}
