import { Database } from "bun:sqlite"
import { expect, test } from "bun:test"
import { join } from "node:path"
import { MIGRATIONS } from "@/assets"
import { searchImages } from "@/core/images/search"
import type { ImageRecord } from "@/storage"
import { imageToRow } from "@/storage/rows"
import { openDatabase } from "@/storage/sqlite/db"
import { insertSql } from "@/storage/sqlite/search-sql"
import { tmpdir } from "../fixture/tmpdir"
import { openTestStorage } from "../helpers/storage"
import { image } from "./contract/records"

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

test("migration 0003 indexes the rows already there, keeps their order, and survives VACUUM", async () => {
  await using dir = await tmpdir()
  const path = join(dir.path, "state.sqlite")
  const old = new Database(path, { create: true, strict: true })
  for (const [version, sql] of MIGRATIONS.slice(0, 2).entries()) {
    old.run(sql)
    old.run(`PRAGMA user_version = ${version + 1}`)
  }
  const rows = [image("a horse"), image("zebra crossing"), image("an old zebra")]
  // The columns of schema version 2: later migrations add more.
  const known = new Set(
    old
      .query<{ name: string }, []>("PRAGMA table_info(images)")
      .all()
      .map((c) => c.name),
  )
  const columns = Object.keys(imageToRow(rows[0] as ImageRecord)).filter((c) => known.has(c))
  const asRow = (r: ImageRecord) =>
    Object.fromEntries(Object.entries(imageToRow(r)).filter(([c]) => known.has(c))) as never
  for (const row of rows) old.query(insertSql("images", columns)).run(asRow(row))
  old.run("DELETE FROM images WHERE prompt = 'a horse'")
  old.close()

  const storage = await openTestStorage(dir.path)
  const { store } = storage
  try {
    expect((await store.images.list()).map((r) => r.prompt)).toEqual(["zebra crossing", "an old zebra"])
    expect((await searchImages(store.images, { query: "zebra" })).total).toBe(2)
    await store.images.upsert(image("zebra three"))
    const db = new Database(path, { strict: true })
    db.run("VACUUM")
    db.close()
    const found = await searchImages(store.images, { query: "zebra" })
    expect(found.records.map((r) => r.prompt)).toEqual(["zebra three", "an old zebra", "zebra crossing"])
    expect((await searchImages(store.images, { query: "three" })).total).toBe(1)
  } finally {
    await storage.close()
  }
})
