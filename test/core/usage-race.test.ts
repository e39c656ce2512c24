import { afterAll, describe, expect, test } from "bun:test"
import { join } from "node:path"
import { periodBounds } from "@/core/usage/periods"
import { openStorage, type StorageSettings } from "@/storage"
import { tmpdir } from "../fixture/tmpdir"
import { type PostgresServer, postgresSkipReason, startPostgres } from "../helpers/postgres"

const RACER = join(import.meta.dir, "..", "fixture", "reserve-race.ts")

/** 4 processes reserve 25 calls each against one budget that holds 10, in the database at `where`. */
async function race(where: string, settings: StorageSettings) {
  await (await openStorage(settings)).close()
  const startAt = String(Date.now() + 1500)
  const procs = Array.from({ length: 4 }, () =>
    Bun.spawn([process.execPath, RACER, where, "25", startAt], { stdout: "pipe", stderr: "pipe" }),
  )
  const codes = await Promise.all(procs.map((p) => p.exited))
  const counts = await Promise.all(procs.map(async (p) => Number(await new Response(p.stdout).text())))
  const errors = (await Promise.all(procs.map((p) => new Response(p.stderr).text()))).filter(Boolean)
  expect({ codes, errors }).toEqual({ codes: [0, 0, 0, 0], errors: [] })
  expect(counts.reduce((a, b) => a + b, 0)).toBe(10)
  const storage = await openStorage(settings)
  const today = periodBounds("daily", Date.now() / 1000)
  expect(await storage.store.usage.used(today.start)).toBe(2_500_000)
  expect(await storage.store.usage.listReserved()).toHaveLength(10)
  await storage.close()
}

test("4 processes × 25 concurrent reservations against one budget for 10 (SQLite): exactly 10 are reserved", async () => {
  await using dir = await tmpdir()
  const path = join(dir.path, "state.sqlite")
  await race(path, { dbPath: path, scratchDir: join(dir.path, "images") })
})

describe.skipIf(postgresSkipReason !== undefined)("PostgreSQL", () => {
  let server: PostgresServer | undefined
  afterAll(async () => server?.[Symbol.asyncDispose]())

  test("4 processes × 25 concurrent reservations against one budget for 10: exactly 10 are reserved", async () => {
    server = await startPostgres()
    const url = await server.createDatabase()
    await race(url, { dbPath: "", scratchDir: "", databaseUrl: url })
  })
})
