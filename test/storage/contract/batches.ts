import { expect, test } from "bun:test"
import { type DriverUnderTest, open } from "./driver"
import { image, job } from "./records"

/** Iteration fields (seed, batch, regenerate, the stored request) and the batch reads of images and jobs. */
export function batchContract(driver: DriverUnderTest): void {
  test("iteration fields read back exactly, with seeds up to 2^53 - 1", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { jobs, images } = storage.store
    const request = { model: "m1", strength: 0.4, references: ["aaaaaaaaaaaa"], mask: null }
    const rerun = job({ seed: Number.MAX_SAFE_INTEGER, regeneratedFrom: "bbbbbbbbbbbb", request })
    await jobs.insert(rerun)
    expect(await jobs.get(rerun.id)).toEqual(rerun)
    const picture = image("seeded", { seed: 4_294_967_295, batchId: "b1", batchIndex: 0, request })
    await images.upsert(picture)
    expect(await images.get(picture.id)).toEqual(picture)
  })

  test("a batch's jobs and images are inserted together and listed by their place in it", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { jobs, images } = storage.store
    const members = [2, 0, 1].map((batchIndex) => job({ batchId: "batch-1", batchIndex, seed: 10 + batchIndex }))
    await jobs.insertMany([...members, job({ batchId: "batch-2", batchIndex: 0 })])
    expect((await jobs.listBatch("batch-1")).map((j) => j.batchIndex)).toEqual([0, 1, 2])
    expect((await jobs.listBatch("batch-1")).map((j) => j.seed)).toEqual([10, 11, 12])
    expect(await jobs.listBatch("none")).toEqual([])
    await images.insertMany([1, 0].map((batchIndex) => image(`img ${batchIndex}`, { batchId: "batch-1", batchIndex })))
    expect((await images.listBatch("batch-1")).map((i) => i.prompt)).toEqual(["img 0", "img 1"])
  })

  test("a batch insert that fails part way leaves none of its jobs", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { jobs } = storage.store
    const first = job({ batchId: "batch-3", batchIndex: 0 })
    // The same id twice: the second insert breaks the primary key.
    await expect(jobs.insertMany([first, job({ batchId: "batch-3", batchIndex: 1 }), { ...first }])).rejects.toThrow()
    expect(await jobs.listBatch("batch-3")).toEqual([])
  })
}
