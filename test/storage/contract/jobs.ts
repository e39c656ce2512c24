import { expect, test } from "bun:test"
import { type DriverUnderTest, open } from "./driver"
import { image, job, MARCH_24 } from "./records"

/** Jobs and meta: state transitions only from `generating`, and completion with its image as one step. */
export function jobContract(driver: DriverUnderTest): void {
  test("a job moves from generating to one final state; later transitions change nothing", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { jobs } = storage.store
    const running = job({ sourceImageIds: ["aaaaaaaaaaaa"], model: "m1", negativePrompt: "n" })
    await jobs.insert(running)
    expect(await jobs.get(running.id)).toEqual(running)
    await jobs.updateProgress(running.id, 0.5, "half way")
    expect(await jobs.get(running.id)).toMatchObject({ progress: 0.5, progressMessage: "half way" })
    await jobs.fail(running.id, "provider said no", MARCH_24 + 100)
    expect(await jobs.get(running.id)).toMatchObject({
      status: "failed",
      error: "provider said no",
      completedEpoch: MARCH_24 + 100,
    })
    expect(await jobs.cancel(running.id, MARCH_24 + 200)).toBe(false)
    await jobs.updateProgress(running.id, 0.9, "late")
    expect(await jobs.get(running.id)).toMatchObject({ status: "failed", progress: 0.5 })

    const other = job()
    await jobs.insert(other)
    expect(await jobs.cancel(other.id, MARCH_24 + 300)).toBe(true)
    expect(await jobs.get(other.id)).toMatchObject({ status: "cancelled", error: "cancelled" })
    await jobs.remove(other.id)
    expect(await jobs.get(other.id)).toBeUndefined()
  })

  test("completion writes the image and the job's state together, never for a job cancelled first", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { jobs, images } = storage.store
    const done = job()
    await jobs.insert(done)
    const picture = image("a finished picture", { id: done.id })
    expect(await jobs.completeWithImage(done.id, picture, MARCH_24 + 50)).toBe(true)
    expect(await jobs.get(done.id)).toMatchObject({ status: "completed", progress: 1, completedEpoch: MARCH_24 + 50 })
    expect(await images.get(done.id)).toEqual(picture)

    const cancelled = job()
    await jobs.insert(cancelled)
    await jobs.cancel(cancelled.id, MARCH_24 + 60)
    expect(await jobs.completeWithImage(cancelled.id, image("too late", { id: cancelled.id }), MARCH_24 + 61)).toBe(
      false,
    )
    expect(await images.get(cancelled.id)).toBeUndefined()
    expect((await jobs.get(cancelled.id))?.status).toBe("cancelled")
  })

  test("a completion whose image cannot be written leaves the job generating and no image", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { jobs, images } = storage.store
    const running = job()
    await jobs.insert(running)
    const refused = image("refused by the schema", { id: running.id, origin: "bogus" as "generated" })
    await expect(jobs.completeWithImage(running.id, refused, MARCH_24)).rejects.toThrow()
    expect((await jobs.get(running.id))?.status).toBe("generating")
    expect(await images.get(running.id)).toBeUndefined()
  })

  test("a completion racing a cancel from another connection: exactly one of them happens", async () => {
    await using fresh = await driver.fresh()
    await using a = await open(fresh.settings)
    await using b = await open(fresh.settings)
    for (let round = 0; round < 10; round++) {
      const racing = job()
      await a.store.jobs.insert(racing)
      const [completed, cancelled] = await Promise.all([
        a.store.jobs.completeWithImage(racing.id, image("raced", { id: racing.id }), MARCH_24),
        b.store.jobs.cancel(racing.id, MARCH_24),
      ])
      expect(completed).toBe(!cancelled)
      const status = (await b.store.jobs.get(racing.id))?.status
      expect(status).toBe(completed ? "completed" : "cancelled")
      expect(Boolean(await b.store.images.get(racing.id))).toBe(completed)
    }
  })

  test("unfinished jobs oldest first; sweeping drops finished jobs past the cut-off, never running ones", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { jobs } = storage.store
    const old = MARCH_24 - 3600
    const running = job({ createdEpoch: old - 10 })
    const failedLong = job({ status: "failed", error: "x", createdEpoch: old, completedEpoch: old })
    const failedNow = job({ status: "failed", error: "x", createdEpoch: MARCH_24, completedEpoch: MARCH_24 })
    const completed = job({ status: "completed", createdEpoch: old, completedEpoch: old })
    const sameTime = [job({ createdEpoch: MARCH_24 + 5 }), job({ createdEpoch: MARCH_24 + 5 })]
    for (const j of [running, failedLong, failedNow, completed, ...sameTime]) await jobs.insert(j)
    const ids = async () => (await jobs.listUnfinished()).map((j) => j.id)
    expect(await ids()).toEqual([running.id, failedLong.id, failedNow.id, ...sameTime.map((j) => j.id)])
    // Completed jobs go sooner than failed ones: a cut-off each.
    await jobs.sweepFinished({ completedBefore: MARCH_24 - 1, failedBefore: old - 1 })
    expect(await ids()).toEqual([running.id, failedLong.id, failedNow.id, ...sameTime.map((j) => j.id)])
    expect(await jobs.get(completed.id)).toBeUndefined()
    await jobs.sweepFinished({ completedBefore: MARCH_24 - 1, failedBefore: MARCH_24 - 1 })
    expect(await ids()).toEqual([running.id, failedNow.id, ...sameTime.map((j) => j.id)])
  })

  test("leases: only the owner renews them, only while generating; a lapsed one fails the job exactly once", async () => {
    await using fresh = await driver.fresh()
    await using a = await open(fresh.settings)
    await using b = await open(fresh.settings)
    const mine = job({ owner: "a", leaseExpiresEpoch: MARCH_24 + 10 })
    const theirs = job({ owner: "b", leaseExpiresEpoch: MARCH_24 + 10 })
    const cancelled = job({ owner: "a", leaseExpiresEpoch: MARCH_24 + 10 })
    for (const j of [mine, theirs, cancelled]) await a.store.jobs.insert(j)
    await b.store.jobs.cancel(cancelled.id, MARCH_24)
    const ids = [mine.id, theirs.id, cancelled.id, "missing"]
    expect(await a.store.jobs.renewLeases("a", ids, MARCH_24 + 40)).toEqual([mine.id])
    expect(await a.store.jobs.renewLeases("a", [], MARCH_24 + 40)).toEqual([])
    expect((await b.store.jobs.get(mine.id))?.leaseExpiresEpoch).toBe(MARCH_24 + 40)
    expect((await b.store.jobs.get(theirs.id))?.leaseExpiresEpoch).toBe(MARCH_24 + 10)

    expect(await b.store.jobs.failIfLeaseExpired(mine.id, "interrupted", MARCH_24 + 39)).toBe(false)
    const racers = [a, b, a, b].map((s) => s.store.jobs.failIfLeaseExpired(theirs.id, "interrupted", MARCH_24 + 11))
    expect((await Promise.all(racers)).filter(Boolean)).toHaveLength(1)
    expect(await a.store.jobs.get(theirs.id)).toMatchObject({ status: "failed", error: "interrupted" })
    expect(await a.store.jobs.renewLeases("b", [theirs.id], MARCH_24 + 60)).toEqual([])
  })

  test("meta keeps one value per key; ping answers", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { meta } = storage.store
    expect(await meta.get("k")).toBeUndefined()
    await meta.set("k", "one")
    await meta.set("k", "two")
    expect(await meta.get("k")).toBe("two")
    await storage.ping()
  })
}
