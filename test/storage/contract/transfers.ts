import { expect, test } from "bun:test"
import type { TransferRecord } from "@/storage"
import { type DriverUnderTest, open } from "./driver"

const NOW = 1_000_000
const link = (tokenHash: string, fields: Partial<TransferRecord> = {}): TransferRecord => ({
  tokenHash,
  kind: "download",
  sinkHandle: "aaaaaaaaaaaa",
  status: "available",
  expiresAt: NOW + 3600,
  leaseExpiresAt: null,
  fence: 0,
  createdAt: NOW,
  ...fields,
})

/** Transfer links: claims under a lease and a fence, and exactly one winner among concurrent claims. */
export function transferContract(driver: DriverUnderTest): void {
  test("claim, complete and release follow the lease and the fence", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { transfers } = storage.store
    await transfers.insert(link("h1"))
    expect(await transfers.get("h1")).toEqual(link("h1"))
    expect(await transfers.claim("h1", "upload", NOW, NOW + 60)).toEqual({ outcome: "not_found" })
    const first = await transfers.claim("h1", "download", NOW, NOW + 60)
    expect(first).toEqual({
      outcome: "claimed",
      record: link("h1", { status: "in_flight", leaseExpiresAt: NOW + 60, fence: 1 }),
    })
    expect(await transfers.claim("h1", "download", NOW + 30, NOW + 90)).toEqual({ outcome: "conflict" })
    // The lease lapsed: a new claim takes over with a new fence, and the old holder can no longer finish.
    const second = await transfers.claim("h1", "download", NOW + 60, NOW + 120)
    expect(second.outcome === "claimed" && second.record.fence).toBe(2)
    expect(await transfers.complete("h1", 1, NOW + 100)).toBe(false)
    expect(await transfers.release("h1", 1)).toBe(false)
    expect(await transfers.release("h1", 2)).toBe(true)
    expect((await transfers.get("h1"))?.status).toBe("available")
    await transfers.claim("h1", "download", NOW + 61, NOW + 121)
    expect(await transfers.complete("h1", 3, NOW + 100)).toBe(true)
    expect(await transfers.get("h1")).toMatchObject({ status: "consumed", expiresAt: NOW + 100, leaseExpiresAt: null })
    expect(await transfers.claim("h1", "download", NOW + 62, NOW + 122)).toEqual({ outcome: "not_found" })
    expect(await transfers.claim("nope", "download", NOW, NOW + 60)).toEqual({ outcome: "not_found" })
  })

  test("expired links are not claimable and are swept", async () => {
    await using fresh = await driver.fresh()
    await using storage = await open(fresh.settings)
    const { transfers } = storage.store
    await transfers.insert(link("old", { expiresAt: NOW + 10 }))
    await transfers.insert(link("new", { expiresAt: NOW + 100 }))
    expect(await transfers.claim("old", "download", NOW + 10, NOW + 70)).toEqual({ outcome: "not_found" })
    expect(await transfers.sweep(NOW + 10)).toBe(1)
    expect(await transfers.get("old")).toBeUndefined()
    expect(await transfers.get("new")).toBeDefined()
  })

  test.skipIf(Boolean(driver.privateKv))(
    "of 50 concurrent claims across two connections, exactly one wins",
    async () => {
      await using fresh = await driver.fresh()
      await using a = await open(fresh.settings)
      await using b = await open(fresh.settings)
      await a.store.transfers.insert(link("race"))
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? b : a).store.transfers.claim("race", "download", NOW, NOW + 60)),
      )
      expect(outcomes.filter((o) => o.outcome === "claimed")).toHaveLength(1)
      expect(outcomes.filter((o) => o.outcome === "conflict")).toHaveLength(49)
    },
  )
}
