import { expect, test } from "bun:test"
import { join } from "node:path"
import { periodBounds } from "@/core/usage/periods"
import { createSqliteStore } from "@/storage/sqlite-store"
import { tmpdir } from "../fixture/tmpdir"

const RACER = join(import.meta.dir, "..", "fixture", "reserve-race.ts")

test("4 processes × 25 concurrent reservations against one budget for 10: exactly 10 are reserved", async () => {
  await using dir = await tmpdir()
  const path = join(dir.path, "state.sqlite")
  createSqliteStore(path).close()
  const startAt = String(Date.now() + 1500)
  const procs = Array.from({ length: 4 }, () =>
    Bun.spawn([process.execPath, RACER, path, "25", startAt], { stdout: "pipe", stderr: "pipe" }),
  )
  const codes = await Promise.all(procs.map((p) => p.exited))
  const counts = await Promise.all(procs.map(async (p) => Number(await new Response(p.stdout).text())))
  const errors = (await Promise.all(procs.map((p) => new Response(p.stderr).text()))).filter(Boolean)
  expect({ codes, errors }).toEqual({ codes: [0, 0, 0, 0], errors: [] })
  expect(counts.reduce((a, b) => a + b, 0)).toBe(10)
  const store = createSqliteStore(path)
  const today = periodBounds("daily", Date.now() / 1000)
  expect(await store.usage.used(today.start)).toBe(2_500_000)
  expect(await store.usage.listReserved()).toHaveLength(10)
  store.close()
})
