import { expect, test } from "bun:test"
import type { UsageRecord } from "@/storage"
import { type DriverUnderTest, open } from "./driver"
import { DAY, MARCH_24 } from "./records"

const BASE = MARCH_24

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
    ownerId: "host/1/abcd",
    ...fields,
  }
}

/** The usage ledger: budget checks atomic with the reservation, day totals exact, totals grouped the same way. */
export function usageContract(driver: DriverUnderTest): void {
  test("reserve refuses the first limit a call would pass and writes nothing; settle happens once", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { usage } = storage.store
    const limits = [
      { since: BASE, limitMicros: 1_000_000 },
      { since: BASE, subject: "alice", limitMicros: 300_000 },
    ]
    const first = call({ subject: "alice", at: BASE + 10 })
    expect(await usage.reserve(first, limits)).toEqual({ ok: true })
    expect(await usage.reserve(call({ subject: "alice", at: BASE + 20 }), limits)).toEqual({
      ok: false,
      index: 1,
      usedMicros: 250_000,
    })
    expect(await usage.listReserved()).toEqual([first])
    const settled = { outcome: "failed" as const, billing: "none" as const, costMicros: 0, settledAt: BASE + 30 }
    expect(await usage.settle(first.id, settled)).toBe(true)
    expect(await usage.settle(first.id, { ...settled, costMicros: 5 })).toBe(false)
    expect(await usage.settle("unknown", settled)).toBe(false)
    expect(await usage.forImage(first.imageId)).toEqual({ ...first, ...settled })
    expect(await usage.used(BASE, "alice")).toBe(0)
  })

  test("concurrent reservations from two connections never pass a budget together", async () => {
    await using fresh = await driver.fresh()
    await using one = await open(fresh.settings)
    await using two = await open(fresh.settings)
    const limits = [{ since: BASE, limitMicros: 2_500_000 }]
    const attempts = Array.from({ length: 30 }, (_, i) =>
      (i % 2 ? one : two).store.usage.reserve(call({ at: BASE + i }), limits),
    )
    const results = await Promise.all(attempts)
    expect(results.filter((r) => r.ok)).toHaveLength(10)
    expect(await one.store.usage.used(BASE)).toBe(2_500_000)
    expect(await two.store.usage.listReserved()).toHaveLength(10)
  })

  test("the day totals answer budget periods exactly as summing the calls does", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { usage } = storage.store
    const subjects = ["alice", "bob", "carol"]
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    const spent = new Map<string, { at: number; subject: string; micros: number }>()
    const pending: UsageRecord[] = []
    for (let i = 0; i < 200; i++) {
      const record = call({
        at: BASE + random(40) * (DAY / 4) + random(1000),
        subject: subjects[random(3)] as string,
        estimateMicros: random(5) === 0 ? null : random(300_000),
      })
      await usage.reserve(record, [])
      spent.set(record.id, { at: record.at, subject: record.subject, micros: record.estimateMicros ?? 0 })
      pending.push(record)
      if (random(3) > 0) {
        const done = pending.splice(random(pending.length), 1)[0] as UsageRecord
        const outcome = (["completed", "failed", "cancelled"] as const)[random(3)] ?? "completed"
        const costMicros = outcome === "failed" ? 0 : done.estimateMicros
        await usage.settle(done.id, { outcome, billing: "charged", costMicros, settledAt: done.at + 5 })
        spent.set(done.id, { at: done.at, subject: done.subject, micros: costMicros ?? 0 })
      }
    }
    const expected = (since: number, subject?: string) =>
      [...spent.values()]
        .filter((s) => s.at >= since && (subject === undefined || s.subject === subject))
        .reduce((sum, s) => sum + s.micros, 0)
    for (let day = 0; day <= 10; day++) {
      const since = BASE + day * DAY
      expect(await usage.used(since)).toBe(expected(since))
      for (const subject of subjects) expect(await usage.used(since, subject)).toBe(expected(since, subject))
    }
    // A start that is not a midnight is summed from the calls themselves.
    expect(await usage.used(BASE + 3 * DAY + 7, "bob")).toBe(expected(BASE + 3 * DAY + 7, "bob"))
  })

  test("totals group by day (UTC), provider, model and subject over a half-open period", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { usage } = storage.store
    const settle = (r: UsageRecord, costMicros: number | null, billing: UsageRecord["billing"] = "charged") =>
      usage.settle(r.id, { outcome: "completed", billing, costMicros, settledAt: r.at })
    const a = call({ at: BASE + 100, subject: "alice", n: 2, estimateMicros: 500_000 })
    const b = call({ at: BASE + DAY + 100, subject: "bob", provider: "other", model: null, estimateMicros: null })
    const c = call({ at: BASE + DAY + 200, subject: "bob" })
    const outside = call({ at: BASE + 2 * DAY, subject: "bob" })
    for (const r of [a, b, c, outside]) await usage.reserve(r, [])
    await settle(a, 500_000)
    await settle(b, null)
    await settle(outside, 250_000, "uncertain")
    const query = { since: BASE, until: BASE + 2 * DAY }
    const sums = (calls: number, images: number, cost: number, reserved: number, unknown: number) => ({
      calls,
      images,
      costMicros: cost,
      uncertainMicros: 0,
      reservedMicros: reserved,
      unknownCalls: unknown,
    })
    expect(await usage.totals(query, "all")).toEqual([sums(3, 4, 500_000, 250_000, 1)])
    expect(await usage.totals(query, "day")).toEqual([
      { day: "2026-03-24", ...sums(1, 2, 500_000, 0, 0) },
      { day: "2026-03-25", ...sums(2, 2, 0, 250_000, 1) },
    ])
    expect(await usage.totals(query, "model")).toEqual([
      { provider: "other", model: null, ...sums(1, 1, 0, 0, 1) },
      { provider: "paid", model: "paid-model", ...sums(2, 3, 500_000, 250_000, 0) },
    ])
    expect(await usage.totals({ ...query, subject: "bob" }, "subject")).toEqual([
      { subject: "bob", ...sums(2, 2, 0, 250_000, 1) },
    ])
    expect(await usage.totals({ since: BASE + 2 * DAY, until: BASE + 3 * DAY }, "all")).toEqual([
      { ...sums(1, 1, 250_000, 0, 0), uncertainMicros: 250_000 },
    ])
    expect(await usage.totals({ since: 0, until: 1 }, "provider")).toEqual([])
  })
}
