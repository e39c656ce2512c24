import { Database } from "bun:sqlite"
import { expect, test } from "bun:test"
import { join } from "node:path"
import { MIGRATIONS } from "@/assets"
import { openDatabase } from "@/storage/sqlite/db"
import { tmpdir } from "../fixture/tmpdir"

const OPENER = join(import.meta.dir, "..", "fixture", "open-db.ts")

test("a new database gets WAL, a busy timeout and every migration", async () => {
  await using dir = await tmpdir()
  const db = openDatabase(join(dir.path, "nested", "state.sqlite"))
  expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" })
  expect(db.query("PRAGMA busy_timeout").get()).toEqual({ timeout: 5000 })
  expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length })
  db.close()
})

test("several processes opening a new database at once all succeed", async () => {
  for (let round = 0; round < 3; round++) {
    await using dir = await tmpdir()
    const path = join(dir.path, "state.sqlite")
    const procs = Array.from({ length: 4 }, () => Bun.spawn([process.execPath, OPENER, path], { stderr: "pipe" }))
    const codes = await Promise.all(procs.map((p) => p.exited))
    const errors = await Promise.all(procs.map((p) => new Response(p.stderr).text()))
    expect({ codes, errors: errors.filter(Boolean) }).toEqual({ codes: [0, 0, 0, 0], errors: [] })
  }
})

test("a database from a newer version is refused with a clear message", async () => {
  await using dir = await tmpdir()
  const path = join(dir.path, "state.sqlite")
  const db = new Database(path, { create: true })
  db.run(`PRAGMA user_version = ${MIGRATIONS.length + 5}`)
  db.close()
  expect(() => openDatabase(path)).toThrow("is newer than this program knows")
})
