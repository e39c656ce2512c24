// The storage contract suite: what every storage driver must do, run by each driver's test file
// (test/storage/sqlite.test.ts, postgres.test.ts) against a real database.
import { afterAll, beforeAll, describe } from "bun:test"
import { batchContract } from "./batches"
import type { DriverUnderTest } from "./driver"
import { eventContract } from "./events"
import { imageContract } from "./images"
import { jobContract } from "./jobs"
import { oauthContract } from "./oauth"
import { transferContract } from "./transfers"
import { usageContract } from "./usage"

export type { DriverUnderTest } from "./driver"

export function storageContract(driver: DriverUnderTest): void {
  describe.skipIf(driver.skip !== undefined)(`storage contract: ${driver.name}`, () => {
    beforeAll(async () => driver.setup?.())
    afterAll(async () => driver.teardown?.())
    describe("images", () => imageContract(driver))
    describe("jobs and meta", () => jobContract(driver))
    describe("seeds, batches and reruns", () => batchContract(driver))
    describe("transfer links", () => transferContract(driver))
    describe("OAuth state", () => oauthContract(driver))
    describe("usage ledger", () => usageContract(driver))
    eventContract(driver)
  })
}
