import type { SQL } from "bun"
import { POSTGRES_MIGRATIONS } from "@/assets"

/** The advisory lock key every server takes while it migrates (any fixed 64-bit number of our own). */
const MIGRATION_LOCK = 0x1_6e_63_70_69

/**
 * Brings the schema up to date in one transaction under a transaction-level advisory lock: servers starting
 * together wait for the first, then find the schema current; a failure rolls every step back. A schema already
 * current costs one query and no lock.
 */
export async function migrate(sql: SQL, migrations: readonly string[] = POSTGRES_MIGRATIONS): Promise<number> {
  const current = await sql<{ version: number }[]>`SELECT version FROM schema_version`.then(
    ([row]) => row?.version,
    () => undefined,
  )
  if (current === migrations.length) return current
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK}::bigint)`
    await tx`CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`
    const [row] = await tx<{ version: number }[]>`SELECT version FROM schema_version`
    const current = row?.version ?? 0
    if (current > migrations.length) {
      throw new Error(
        `The database schema (version ${current}) is newer than this program knows (${migrations.length}); upgrade image-generation-mcp.`,
      )
    }
    for (const script of migrations.slice(current)) await tx.unsafe(script)
    if (row === undefined) await tx`INSERT INTO schema_version (version) VALUES (${migrations.length})`
    else if (current < migrations.length) await tx`UPDATE schema_version SET version = ${migrations.length}`
    return migrations.length
  })
}
