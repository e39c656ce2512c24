import { describe, expect, test } from "bun:test"
import type { StorageSettings } from "@/storage"
import { type DriverUnderTest, open } from "./driver"

const LIMITS = { maxPerStream: 5, maxPerSession: 8, maxCharsPerSession: 1000 }

/** The HTTP event log: replay after a cursor within a session, and the bounds on what it keeps. */
export function eventContract(driver: DriverUnderTest): void {
  const clock = () => {
    let now = 1_000_000_000_000
    return { now: () => now, advance: (ms: number) => (now += ms) }
  }
  const withLog = async (fn: (settings: StorageSettings) => Promise<void>) => {
    await using fresh = await driver.fresh()
    await fn(fresh.settings)
  }

  describe("event log", () => {
    test("replays a stream after a cursor, in order, within its session only", async () => {
      await withLog(async (settings) => {
        await using storage = await open(settings, { events: { ...LIMITS } })
        const log = storage.events
        const a1 = await log.append("s1", "x", '{"n":1}')
        const a2 = await log.append("s1", "x", '{"n":2}')
        await log.append("s1", "y", '{"n":3}')
        await log.append("s2", "x", '{"n":4}')
        const a3 = await log.append("s1", "x", '{"n":5}')
        expect(a2).toBeGreaterThan(a1)
        expect(await log.after("s1", "x", a1)).toEqual([
          { seq: a2, message: '{"n":2}' },
          { seq: a3, message: '{"n":5}' },
        ])
        expect((await log.after("s2", "x", 0)).map((e) => e.message)).toEqual(['{"n":4}'])
        expect(await log.after("s3", "x", 0)).toEqual([])
        expect(await log.has("s1", "y")).toBe(true)
        expect(await log.has("s1", "z")).toBe(false)
        await log.dropSession("s1")
        expect(await log.has("s1", "x")).toBe(false)
        expect(await log.after("s1", "x", 0)).toEqual([])
        expect(await log.has("s2", "x")).toBe(true)
      })
    })

    test("a mark is a position in its stream with nothing to replay", async () => {
      await withLog(async (settings) => {
        await using storage = await open(settings, { events: { ...LIMITS } })
        const log = storage.events
        const primed = await log.mark("s", "x")
        expect(await log.has("s", "x")).toBe(true)
        expect(await log.after("s", "x", 0)).toEqual([])
        const answer = await log.append("s", "x", '{"n":1}')
        expect(answer).toBeGreaterThan(primed)
        expect(await log.after("s", "x", primed)).toEqual([{ seq: answer, message: '{"n":1}' }])
        expect(await log.after("s", "x", 0)).toEqual([{ seq: answer, message: '{"n":1}' }])

        // Marks count against the per-stream bound like events (the oldest goes first), and are never replayed.
        for (let i = 0; i < 6; i++) await log.mark("s", "y")
        await log.append("s", "y", '{"n":2}')
        expect((await log.after("s", "y", 0)).map((e) => e.message)).toEqual(['{"n":2}'])
        expect(await log.has("s", "y")).toBe(true)
      })
    })

    test("keeps the newest events per stream and per session, and none older than the TTL", async () => {
      const c = clock()
      await withLog(async (settings) => {
        await using storage = await open(settings, { events: { now: c.now, ...LIMITS } })
        const log = storage.events
        for (let i = 0; i < 7; i++) await log.append("s", "x", `{"i":${i}}`)
        const kept = (await log.after("s", "x", 0)).map((e) => JSON.parse(e.message).i)
        expect(kept).toEqual([2, 3, 4, 5, 6])

        // Per session: at most 8 events (pruned to at most 8 too, never below the newest one).
        for (let i = 0; i < 20; i++) await log.append("s", `post-${i}`, "{}")
        expect((await log.after("s", "x", 0)).length).toBe(0)
        expect(await log.has("s", "post-19")).toBe(true)
        expect(await log.has("s", "post-5")).toBe(false)

        // Per session text budget (1000 chars): a big event pushes older ones out but is itself kept.
        await log.append("t", "x", `"${"a".repeat(400)}"`)
        await log.append("t", "x", `"${"b".repeat(400)}"`)
        await log.append("t", "x", `"${"c".repeat(1200)}"`)
        expect((await log.after("t", "x", 0)).map((e) => e.message[1])).toEqual(["c"])

        // TTL: an hour later nothing is replayable.
        await log.append("u", "x", "{}")
        c.advance(3600_001)
        expect(await log.has("u", "x")).toBe(false)
        expect(await log.after("u", "x", 0)).toEqual([])
      })
    })
  })
}
