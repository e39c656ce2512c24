import { Database } from "bun:sqlite"
import { expect, test } from "bun:test"
import { join } from "node:path"
import { createSqliteStore } from "@/storage/sqlite-store"
import type { UsageRecord } from "@/storage/types"
import { tmpdir } from "../fixture/tmpdir"

const DAY = 86_400
const BASE = 20_000 * DAY // a UTC midnight

function call(fields: Partial<UsageRecord>): UsageRecord {
  return {
    id: crypto.randomUUID(),
    imageId: "aaaaaaaaaaaa",
    at: BASE,
    subject: "local",
    provider: "paid",
    model: "paid-model",
    size: null,
    quality: "standard",
    n: 1,
    outcome: "reserved",
    billing: "pending",
    estimateMicros: 250_000,
    costMicros: null,
    settledAt: null,
    ownerPid: 1,
    ownerStartedEpoch: 1,
    ...fields,
  }
}

test("reserve refuses the first limit a call would pass and writes nothing; settle happens once", async () => {
  await using dir = await tmpdir()
  const store = createSqliteStore(join(dir.path, "state.sqlite"))
  const limits = [
    { since: BASE, limitMicros: 1_000_000 },
    { since: BASE, subject: "alice", limitMicros: 300_000 },
  ]
  const first = call({ subject: "alice", at: BASE + 10 })
  expect(await store.usage.reserve(first, limits)).toEqual({ ok: true })
  expect(await store.usage.reserve(call({ subject: "alice", at: BASE + 20 }), limits)).toEqual({
    ok: false,
    index: 1,
    usedMicros: 250_000,
  })
  expect(await store.usage.listReserved()).toEqual([first])
  const settled = { outcome: "failed" as const, billing: "none" as const, costMicros: 0, settledAt: BASE + 30 }
  expect(await store.usage.settle(first.id, settled)).toBe(true)
  expect(await store.usage.settle(first.id, { ...settled, costMicros: 5 })).toBe(false)
  expect(await store.usage.settle("unknown", settled)).toBe(false)
  expect(await store.usage.forImage(first.imageId)).toEqual({ ...first, ...settled })
  expect(await store.usage.used(BASE, "alice")).toBe(0)
  store.close()
})

test("the day totals answer budget periods exactly as summing the calls does", async () => {
  await using dir = await tmpdir()
  const path = join(dir.path, "state.sqlite")
  const store = createSqliteStore(path)
  const subjects = ["alice", "bob", "carol"]
  let seed = 7
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed % n
  }
  const open: UsageRecord[] = []
  for (let i = 0; i < 400; i++) {
    const record = call({
      at: BASE + random(40) * (DAY / 4) + random(1000),
      subject: subjects[random(3)] as string,
      estimateMicros: random(5) === 0 ? null : random(300_000),
    })
    await store.usage.reserve(record, [])
    open.push(record)
    if (random(3) > 0) {
      const done = open.splice(random(open.length), 1)[0] as UsageRecord
      const outcome = (["completed", "failed", "cancelled"] as const)[random(3)] ?? "completed"
      const costMicros = outcome === "failed" ? 0 : done.estimateMicros
      await store.usage.settle(done.id, { outcome, billing: "charged", costMicros, settledAt: done.at + 5 })
    }
  }
  const db = new Database(path, { readonly: true })
  const scan = (since: number, subject?: string) =>
    db
      .query<{ used: number | null }, [number, string | null]>(
        `SELECT sum(CASE WHEN outcome = 'reserved' THEN estimate_micros ELSE cost_micros END) AS used
         FROM usage_ledger WHERE at >= ? AND (?2 IS NULL OR subject = ?2)`,
      )
      .get(since, subject ?? null)?.used ?? 0
  for (let day = 0; day <= 10; day++) {
    const since = BASE + day * DAY
    expect(await store.usage.used(since)).toBe(scan(since))
    for (const subject of subjects) expect(await store.usage.used(since, subject)).toBe(scan(since, subject))
  }
  // A start that is not a midnight is summed from the calls themselves.
  expect(await store.usage.used(BASE + 3 * DAY + 7, "bob")).toBe(scan(BASE + 3 * DAY + 7, "bob"))
  db.close()
  store.close()
})

test("totals group by day, provider, model and subject over a half-open period", async () => {
  await using dir = await tmpdir()
  const store = createSqliteStore(join(dir.path, "state.sqlite"))
  const settle = (r: UsageRecord, costMicros: number | null, billing: UsageRecord["billing"] = "charged") =>
    store.usage.settle(r.id, { outcome: "completed", billing, costMicros, settledAt: r.at })
  const a = call({ at: BASE + 100, subject: "alice", n: 2, estimateMicros: 500_000 })
  const b = call({ at: BASE + DAY + 100, subject: "bob", provider: "other", model: null, estimateMicros: null })
  const c = call({ at: BASE + DAY + 200, subject: "bob" })
  const outside = call({ at: BASE + 2 * DAY, subject: "bob" })
  for (const r of [a, b, c, outside]) await store.usage.reserve(r, [])
  await settle(a, 500_000)
  await settle(b, null)
  await settle(outside, 250_000, "uncertain")
  const query = { since: BASE, until: BASE + 2 * DAY }
  const day = (n: number) => new Date((BASE + n * DAY) * 1000).toISOString().slice(0, 10)
  const sums = (calls: number, images: number, cost: number, reserved: number, unknown: number) => ({
    calls,
    images,
    costMicros: cost,
    uncertainMicros: 0,
    reservedMicros: reserved,
    unknownCalls: unknown,
  })
  expect(await store.usage.totals(query, "all")).toEqual([sums(3, 4, 500_000, 250_000, 1)])
  expect(await store.usage.totals(query, "day")).toEqual([
    { day: day(0), ...sums(1, 2, 500_000, 0, 0) },
    { day: day(1), ...sums(2, 2, 0, 250_000, 1) },
  ])
  expect(await store.usage.totals(query, "model")).toEqual([
    { provider: "other", model: null, ...sums(1, 1, 0, 0, 1) },
    { provider: "paid", model: "paid-model", ...sums(2, 3, 500_000, 250_000, 0) },
  ])
  expect(await store.usage.totals({ ...query, subject: "bob" }, "subject")).toEqual([
    { subject: "bob", ...sums(2, 2, 0, 250_000, 1) },
  ])
  expect(await store.usage.totals({ since: BASE + 2 * DAY, until: BASE + 3 * DAY }, "all")).toEqual([
    { ...sums(1, 1, 250_000, 0, 0), uncertainMicros: 250_000 },
  ])
  expect(await store.usage.totals({ since: 0, until: 1 }, "provider")).toEqual([])
  store.close()
})
