import { Database } from "bun:sqlite"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { MIGRATIONS } from "@/assets"
import { pauseForTest } from "@/util/test-pause"

/** Opens (creating if needed) a SQLite database and brings its schema up to date. */
export function openDatabase(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, { create: true, strict: true })
  // busy_timeout first: switching to WAL takes a lock that concurrent openers must wait for.
  db.run("PRAGMA busy_timeout = 5000")
  db.run("PRAGMA journal_mode = WAL")
  db.run("PRAGMA synchronous = NORMAL")
  db.run("PRAGMA foreign_keys = ON")
  migrate(db)
  return db
}

/** Applies missing migrations one transaction at a time; the version is re-read under the write lock, so
 * several processes opening a new database at once apply each migration exactly once. The loop is synchronous:
 * a stop signal is handled after it, never between a migration and its version bump. */
function migrate(db: Database): void {
  const step = db.transaction((): boolean => {
    const current = db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version ?? 0
    if (current > MIGRATIONS.length) {
      throw new Error(
        `The database schema (version ${current}) is newer than this program knows (${MIGRATIONS.length}); upgrade image-generation-mcp.`,
      )
    }
    if (current === MIGRATIONS.length) return false
    db.run(MIGRATIONS[current] ?? "")
    pauseForTest("migration")
    db.run(`PRAGMA user_version = ${current + 1}`)
    return true
  })
  while (step.immediate()) {
    // one migration per transaction
  }
}
