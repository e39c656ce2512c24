import { Database } from "bun:sqlite"
import { existsSync } from "node:fs"
import type { StorageFinding } from "../checks"

/** Reads a SQLite database without changing it: integrity, schema version and how many images it holds. */
export function inspectSqlite(path: string): StorageFinding {
  const label = "database"
  if (!existsSync(path)) return { ok: true, label, detail: `SQLite ${path} (created on first start)` }
  try {
    const db = new Database(path, { readonly: true })
    try {
      const integrity = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").get()?.integrity_check
      const version = db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version
      const images = db.query<{ n: number }, []>("SELECT count(*) AS n FROM images").get()?.n ?? 0
      if (integrity !== "ok") {
        return {
          ok: false,
          label,
          detail: `SQLite ${path}: integrity check says ${integrity}`,
          fix: "Restore the database from a backup, or move it away to start fresh (images are re-imported from the scratch dir).",
        }
      }
      return { ok: true, label, detail: `SQLite ${path} (schema ${version}, ${images} images, integrity ok)` }
    } finally {
      db.close()
    }
  } catch (error) {
    return {
      ok: false,
      label,
      detail: `SQLite ${path}: ${(error as Error).message}`,
      fix: "Point IMAGE_GENERATION_MCP_DB_PATH at a readable SQLite file, or move the broken one away.",
    }
  }
}
