import { describe, expect, test } from "bun:test"
import {
  FAILED_JOB_TTL_SECONDS,
  INTERRUPTED_MESSAGE,
  JOB_TTL_SECONDS,
  JobService,
  SHUTDOWN_MESSAGE,
} from "@/core/jobs/jobs"
import { newReplicaIdentity } from "@/core/jobs/owner"
import type { JobRecord } from "@/storage"
import { createFakeProvider, gate } from "../fixture/fake-provider"
import { quadrantPng } from "../fixture/images"
import { tmpdir } from "../fixture/tmpdir"
import { startServices } from "../helpers/services"
import { openTestStorage } from "../helpers/storage"
import { waitFor, waitForValue } from "../helpers/wait"

const never = createFakeProvider({ name: "never", generate: () => new Promise(() => {}) })
/** A short lease, so the tests see one run out. */
const SHORT_LEASE = { IMAGE_GENERATION_MCP_JOB_LEASE_S: "1" }

function jobRow(fields: Partial<JobRecord>): JobRecord {
  return {
    id: "aaaaaaaaaaaa",
    prompt: "p",
    provider: "placeholder",
    negativePrompt: null,
    aspectRatio: "1:1",
    quality: "standard",
    background: "opaque",
    model: null,
    status: "generating",
    error: null,
    createdEpoch: Date.now() / 1000,
    completedEpoch: null,
    progress: 0,
    progressMessage: "",
    sourceImageIds: [],
    owner: "another-server",
    leaseExpiresEpoch: Date.now() / 1000 + 3600,
    ...fields,
  }
}

describe("jobs across restarts", () => {
  test("a job whose server died is reported failed once its lease runs out; completed images stay", async () => {
    await using dir = await tmpdir()
    const first = await startServices({ dir, env: SHORT_LEASE, deps: { extraProviders: [never] } })
    const done = await first.services.generation.start(
      await first.services.generation.prepare({ prompt: "kept", provider: "placeholder" }),
    )
    await first.services.jobs.idle()
    const stuck = await first.services.generation.start(
      await first.services.generation.prepare({ prompt: "lost", provider: "never" }),
    )
    // The server "dies": its database goes away without any shutdown bookkeeping, and its renewals stop.
    await first.services.storage.close()
    await first.services.jobs.shutdown(0)

    await using second = await startServices({ dir, env: SHORT_LEASE })
    const failed = await waitForValue(async () => {
      const status = await second.services.generation.status(stuck.image_id)
      return status.status === "generating" ? undefined : status
    }, "the lapsed lease to be noticed")
    expect(failed).toEqual({ status: "failed", image_id: stuck.image_id, error: INTERRUPTED_MESSAGE })
    // Every later read gives the same answer.
    for (let read = 0; read < 2; read++) {
      expect(await second.services.generation.status(stuck.image_id)).toEqual(failed)
    }
    expect(await second.services.generation.status(done.image_id)).toEqual({
      status: "completed",
      image_id: done.image_id,
    })
    const view = await second.services.views.view(done.image_id, new URLSearchParams())
    expect(view.width).toBe(256)
  })

  test("a graceful shutdown lets quick jobs finish and records the rest as interrupted by the shutdown", async () => {
    await using dir = await tmpdir()
    // The quick job finishes once the shutdown has begun, well within the grace period even on a busy machine.
    const shutdownBegun = Promise.withResolvers<void>()
    const quick = createFakeProvider({
      name: "quick",
      generate: async (request, signal) => {
        await shutdownBegun.promise
        return createFakeProvider().generate(request, { signal })
      },
    })
    const first = await startServices({ dir, deps: { extraProviders: [never, quick] } })
    const { generation } = first.services
    const stuck = await generation.start(await generation.prepare({ prompt: "x", provider: "never" }))
    const done = await generation.start(await generation.prepare({ prompt: "y", provider: "quick" }))
    const graceMs = 2000
    const started = performance.now()
    const stopping = first.services.jobs.shutdown(graceMs)
    shutdownBegun.resolve()
    await stopping
    // The stuck job holds the shutdown for the grace period, not longer.
    expect(performance.now() - started).toBeLessThan(graceMs + 1000)
    await first.services.close()
    await using storage = await openTestStorage(dir.path)
    const { store } = storage
    expect(await store.jobs.get(stuck.image_id)).toMatchObject({ status: "failed", error: SHUTDOWN_MESSAGE })
    expect(await store.jobs.get(done.image_id)).toMatchObject({ status: "completed" })
    expect(await store.images.get(done.image_id)).toBeDefined()
  })

  test("another server's job is left alone while it renews the lease, and reported interrupted once it stops", async () => {
    await using dir = await tmpdir()
    const running = await startServices({ dir, env: SHORT_LEASE, deps: { extraProviders: [never] } })
    await using reader = await startServices({ dir, env: SHORT_LEASE })
    const { image_id } = await running.services.generation.start(
      await running.services.generation.prepare({ prompt: "x", provider: "never" }),
    )
    const first = (await reader.services.store.jobs.get(image_id))?.leaseExpiresEpoch ?? 0
    // Renewed past the first lease: the job would have lapsed by now without its server.
    await waitForValue(async () => {
      const lease = (await reader.services.store.jobs.get(image_id))?.leaseExpiresEpoch ?? 0
      return lease > first + 1 && Date.now() / 1000 > first ? lease : undefined
    }, "the lease to be renewed past its first expiry")
    expect((await reader.services.jobs.get(image_id))?.status).toBe("generating")

    // The server stops without recording anything (its database goes first): the lease lapses.
    await running.services.storage.close()
    await running.services.jobs.shutdown(0)
    await waitFor(async () => (await reader.services.jobs.get(image_id))?.status === "failed", "the lapsed lease")
    expect(await reader.services.jobs.get(image_id)).toMatchObject({ status: "failed", error: INTERRUPTED_MESSAGE })
  })

  test("cancel_generation on another server reaches the provider call on the server running the job", async () => {
    await using dir = await tmpdir()
    const aborted = Promise.withResolvers<void>()
    const watched = createFakeProvider({
      name: "watched",
      generate: (_request, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => {
            aborted.resolve()
            reject(signal.reason)
          }),
        ),
    })
    await using running = await startServices({ dir, env: SHORT_LEASE, deps: { extraProviders: [watched] } })
    await using other = await startServices({ dir, env: SHORT_LEASE })
    const { image_id } = await running.services.generation.start(
      await running.services.generation.prepare({ prompt: "x", provider: "watched" }),
    )
    expect(await other.services.jobs.cancel(image_id)).toEqual({ outcome: "cancelled" })
    await aborted.promise
    await running.services.jobs.idle()
    expect(await running.services.jobs.get(image_id)).toMatchObject({ status: "cancelled" })
    expect(await running.services.images.get(image_id)).toBeUndefined()
  })

  test("a job of this server that no longer runs here is reported interrupted at once", async () => {
    await using env = await startServices({ deps: { self: { id: "this-server" } } })
    await env.services.store.jobs.insert(jobRow({ id: "bbbbbbbbbbbb", owner: "this-server" }))
    expect(await env.services.jobs.get("bbbbbbbbbbbb")).toMatchObject({ status: "failed", error: INTERRUPTED_MESSAGE })
  })

  test("a job read as generating just before it completed here is reported completed, not interrupted", async () => {
    await using env = await startServices()
    const store = env.services.store.jobs
    const readDone = gate()
    let holdNextRead = false
    // The next read's row arrives from the store only after the job has finished (a slow database connection).
    const slowStore = {
      ...store,
      get: async (id: string) => {
        const held = holdNextRead
        holdNextRead = false
        const row = await store.get(id)
        if (held) await readDone.promise
        return row
      },
    }
    const jobs = new JobService({
      store: slowStore,
      registry: env.services.images,
      self: newReplicaIdentity(),
      leaseS: 30,
    })
    const provider = gate()
    const params = {
      prompt: "p",
      provider: "placeholder",
      negativePrompt: null,
      aspectRatio: "1:1",
      quality: "standard",
    }
    await jobs.start(
      "cccccccccccc",
      { ...params, background: "opaque", model: null, sourceImageIds: [], seed: null, batchId: null, batchIndex: null },
      async () => {
        await provider.promise
        return { data: quadrantPng(8, 8), contentType: "image/png", metadata: {} }
      },
    )
    holdNextRead = true
    const reading = jobs.get("cccccccccccc")
    await waitFor(() => !holdNextRead, "the read to start")
    provider.resolve()
    await jobs.idle()
    expect(await store.get("cccccccccccc")).toMatchObject({ status: "completed" })
    readDone.resolve()
    expect(await reading).toMatchObject({ status: "completed", error: null })
    expect(await store.get("cccccccccccc")).toMatchObject({ status: "completed", error: null })
  })

  test("completed jobs expire after 10 minutes, failed and cancelled ones after a day; running ones never", async () => {
    await using env = await startServices()
    const now = Date.now() / 1000
    const old = now - JOB_TTL_SECONDS - 60
    const dayOld = now - FAILED_JOB_TTL_SECONDS - 60
    const { jobs } = env.services.store
    const finished = (id: string, status: JobRecord["status"], at: number) =>
      jobs.insert(jobRow({ id, status, error: "x", createdEpoch: at, completedEpoch: at }))
    await finished("aaaaaaaaaaa1", "completed", old)
    await finished("aaaaaaaaaaa2", "failed", dayOld)
    await finished("aaaaaaaaaaa3", "cancelled", dayOld)
    await finished("cccccccccccc", "failed", old)
    await finished("dddddddddddd", "cancelled", old)
    // Another server's job, its lease renewed: never dropped, however old.
    await jobs.insert(jobRow({ id: "eeeeeeeeeeee", createdEpoch: dayOld }))
    const unfinished = await env.services.jobs.listUnfinished()
    expect(unfinished.map((j) => j.id)).toEqual(["eeeeeeeeeeee", "cccccccccccc", "dddddddddddd"])
    expect(unfinished[0]?.status).toBe("generating")
    expect(await jobs.get("aaaaaaaaaaa1")).toBeUndefined()
  })

  test("FAILED_JOB_TTL_S sets how long failures stay", async () => {
    await using env = await startServices({ env: { IMAGE_GENERATION_MCP_FAILED_JOB_TTL_S: "120" } })
    const now = Date.now() / 1000
    await env.services.store.jobs.insert(
      jobRow({ id: "cccccccccccc", status: "failed", error: "x", createdEpoch: now - 100, completedEpoch: now - 100 }),
    )
    await env.services.store.jobs.insert(
      jobRow({ id: "dddddddddddd", status: "failed", error: "x", createdEpoch: now - 200, completedEpoch: now - 200 }),
    )
    expect((await env.services.jobs.listUnfinished()).map((j) => j.id)).toEqual(["cccccccccccc"])
  })
})
