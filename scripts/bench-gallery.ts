// With 10,000 images registered: image://list and list_providers latency, and start-up time, per storage driver.
// Anchors in the same run: raw rows + JSON.stringify for the list, a trivial tool call for list_providers,
// start-up with an empty gallery for start-up, and SQLite for PostgreSQL.
// Usage: bun scripts/bench-gallery.ts [--driver sqlite|postgres|both]   (default both when PostgreSQL can run here)
// PostgreSQL is a throwaway local server (test/helpers/postgres.ts) with a new database for each phase.
import { Database } from "bun:sqlite"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import { SQL } from "bun"
import { loadConfig } from "@/config/config"
import { createServices } from "@/core/services"
import { createMcpServer } from "@/mcp/server"
import { IMAGE_COLUMNS } from "@/storage/rows"
import { postgresSkipReason, startPostgres } from "../test/helpers/postgres"
import { CLI, fmt, median, medianTime, timeHandshake } from "./bench-lib"
import { galleryEnv, seedGallery } from "./seed-gallery"

const COUNT = Number(process.env.COUNT ?? 10_000)
const RUNS = Number(process.env.RUNS ?? 15)
const { values } = parseArgs({ options: { driver: { type: "string" } } })
const driver = values.driver ?? (postgresSkipReason ? "sqlite" : "both")
if (!["sqlite", "postgres", "both"].includes(driver)) throw new Error("--driver must be sqlite, postgres or both")

const timed = (fn: () => Promise<unknown>, runs = RUNS) => medianTime(fn, runs)

interface Measured {
  seed: number
  list: number
  listBytes: number
  raw: number
  providers: number
  trivial: number
  startFull: number
  startEmpty: number
  importMs: number
  imported: number
}

/** A database for each phase: SQLite files in the phase's dir, or a new PostgreSQL database. */
type NewDatabase = () => Promise<string | undefined>

async function measure(newDatabase: NewDatabase): Promise<Measured> {
  const full = mkdtempSync(join(tmpdir(), "igm-gallery-"))
  const empty = mkdtempSync(join(tmpdir(), "igm-empty-"))
  const fresh = mkdtempSync(join(tmpdir(), "igm-import-"))
  try {
    const [fullDb, emptyDb, freshDb] = [await newDatabase(), await newDatabase(), await newDatabase()]
    let started = performance.now()
    await seedGallery(full, COUNT, fullDb)
    const seed = performance.now() - started

    const { config } = loadConfig(galleryEnv(full, fullDb), full)
    const services = await createServices(config)
    const server = createMcpServer(services, { transport: "stdio" })
    const client = new Client({ name: "bench", version: "1" })
    const [a, b] = InMemoryTransport.createLinkedPair()
    await Promise.all([server.connect(a), client.connect(b)])
    let listBytes = 0
    const list = await timed(async () => {
      const result = await client.readResource({ uri: "image://list" })
      listBytes = String((result.contents[0] as { text: string }).text).length
    })
    const raw = await rawRows(config.dbPath, fullDb)
    const providers = await timed(() => client.callTool({ name: "list_providers", arguments: {} }), RUNS * 4)
    const trivial = await timed(() => client.callTool({ name: "get_server_info", arguments: {} }), RUNS * 4)
    await client.close()
    await services.close()

    const startFull: number[] = []
    const startEmpty: number[] = []
    for (let i = 0; i < RUNS; i++) {
      startFull.push(await timeHandshake([process.execPath, CLI, "serve"], galleryEnv(full, fullDb)))
      startEmpty.push(await timeHandshake([process.execPath, CLI, "serve"], galleryEnv(empty, emptyDb)))
    }

    started = performance.now()
    const env = { ...galleryEnv(fresh, freshDb), IMAGE_GENERATION_MCP_SCRATCH_DIR: config.scratchDir }
    const importing = await createServices(loadConfig(env, fresh).config)
    const imported = await importing.images.count()
    await importing.close()
    const importMs = performance.now() - started
    return {
      seed,
      list,
      listBytes,
      raw,
      providers,
      trivial,
      startFull: median(startFull),
      startEmpty: median(startEmpty),
      importMs,
      imported,
    }
  } finally {
    for (const dir of [full, empty, fresh]) rmSync(dir, { recursive: true, force: true })
  }
}

/** The list's anchor: every row read on a connection of its own and serialised, with no server in between. */
async function rawRows(dbPath: string, databaseUrl: string | undefined): Promise<number> {
  if (!databaseUrl) {
    const db = new Database(dbPath, { readonly: true })
    const ms = await timed(async () => JSON.stringify(db.query("SELECT * FROM images ORDER BY rowid").all(), null, 2))
    db.close()
    return ms
  }
  const sql = new SQL(databaseUrl, { max: 1 })
  const columns = IMAGE_COLUMNS.join(", ")
  const ms = await timed(async () =>
    JSON.stringify(await sql.unsafe(`SELECT ${columns} FROM images ORDER BY seq`), null, 2),
  )
  await sql.close()
  return ms
}

function report(name: string, m: Measured): void {
  console.log(`\n${name}: with ${COUNT} images (medians; bun ${Bun.version}); seeded in ${fmt(m.seed)}`)
  console.log(`  image://list            ${fmt(m.list)}  (${(m.listBytes / 1e6).toFixed(1)} MB JSON)`)
  console.log(`    anchor: raw rows + JSON.stringify  ${fmt(m.raw)}   ratio ${(m.list / m.raw).toFixed(2)}x`)
  console.log(`  list_providers          ${fmt(m.providers)}`)
  console.log(
    `    anchor: get_server_info call       ${fmt(m.trivial)}   ratio ${(m.providers / m.trivial).toFixed(2)}x`,
  )
  console.log(`  start-up (spawn → tools/list)  ${fmt(m.startFull)}`)
  console.log(
    `    anchor: empty gallery             ${fmt(m.startEmpty)}   ratio ${(m.startFull / m.startEmpty).toFixed(2)}x`,
  )
  console.log(`  one-time import of ${m.imported} sidecars on first start: ${fmt(m.importMs)}`)
}

const results: Record<string, Measured> = {}
if (driver !== "postgres") results.SQLite = await measure(async () => undefined)
if (driver !== "sqlite") {
  if (postgresSkipReason) throw new Error(`PostgreSQL cannot run here: ${postgresSkipReason}`)
  const server = await startPostgres()
  try {
    results.PostgreSQL = await measure(() => server.createDatabase())
  } finally {
    await server[Symbol.asyncDispose]()
  }
}
for (const [name, m] of Object.entries(results)) report(name, m)
const { SQLite: lite, PostgreSQL: pg } = results
if (lite && pg) {
  console.log("\nPostgreSQL against SQLite (same run)")
  console.log(`  image://list   ${fmt(pg.list)} vs ${fmt(lite.list)}   ratio ${(pg.list / lite.list).toFixed(2)}x`)
  console.log(
    `  start-up       ${fmt(pg.startFull)} vs ${fmt(lite.startFull)}   ratio ${(pg.startFull / lite.startFull).toFixed(2)}x`,
  )
  console.log(
    `  empty start-up ${fmt(pg.startEmpty)} vs ${fmt(lite.startEmpty)}   ratio ${(pg.startEmpty / lite.startEmpty).toFixed(2)}x`,
  )
}
