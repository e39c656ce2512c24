import { describe, expect, test } from "bun:test"
import { INTERRUPTED_MESSAGE, JOB_TTL_SECONDS, SHUTDOWN_MESSAGE } from "@/core/jobs/jobs"
import type { JobRecord } from "@/storage"
import { createFakeProvider } from "../fixture/fake-provider"
import { tmpdir } from "../fixture/tmpdir"
import { startServices } from "../helpers/services"
import { openTestStorage } from "../helpers/storage"

const never = createFakeProvider({ name: "never", generate: () => new Promise(() => {}) })

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
    ownerPid: process.pid,
    ownerStartedEpoch: 1,
    ...fields,
  }
}

describe("jobs across restarts", () => {
  test("a job running when its process died is reported failed after the next start; completed images stay", async () => {
    await using dir = await tmpdir()
    const first = await startServices({ dir, deps: { extraProviders: [never] } })
    const done = await first.services.generation.start(
      await first.services.generation.prepare({ prompt: "kept", provider: "placeholder" }),
    )
    await first.services.jobs.idle()
    const stuck = await first.services.generation.start(
      await first.services.generation.prepare({ prompt: "lost", provider: "never" }),
    )
    // The process "dies": its store is closed without any shutdown bookkeeping.
    first.services.store.close()

    await using second = await startServices({ dir, deps: { self: { pid: process.pid, startedEpoch: 42 } } })
    expect(await second.services.generation.status(stuck.image_id)).toEqual({
      status: "failed",
      image_id: stuck.image_id,
      error: INTERRUPTED_MESSAGE,
    })
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

  test("a job owned by another live process is left alone", async () => {
    await using env = await startServices()
    const other = Bun.spawn(["sleep", "10"])
    try {
      const { processStartEpoch } = await import("@/core/jobs/owner")
      const ownerStartedEpoch = processStartEpoch(other.pid) ?? 0
      await env.services.store.jobs.insert(jobRow({ id: "bbbbbbbbbbbb", ownerPid: other.pid, ownerStartedEpoch }))
      const job = await env.services.jobs.get("bbbbbbbbbbbb")
      expect(job?.status).toBe("generating")
    } finally {
      other.kill()
      await other.exited
    }
    expect((await env.services.jobs.get("bbbbbbbbbbbb"))?.status).toBe("failed")
  })

  test("a live pid that now belongs to a newer process does not keep a dead server's job alive", async () => {
    await using env = await startServices()
    const stranger = Bun.spawn(["sleep", "10"])
    try {
      const twoHoursAgo = Date.now() / 1000 - 7200
      await env.services.store.jobs.insert(
        jobRow({
          id: "ffffffffffff",
          ownerPid: stranger.pid,
          ownerStartedEpoch: twoHoursAgo,
          createdEpoch: twoHoursAgo,
        }),
      )
      expect(await env.services.jobs.get("ffffffffffff")).toMatchObject({
        status: "failed",
        error: INTERRUPTED_MESSAGE,
      })
    } finally {
      stranger.kill()
    }
  })

  test("finished jobs expire after 10 minutes; a running job is never dropped by the TTL", async () => {
    await using env = await startServices()
    const old = Date.now() / 1000 - JOB_TTL_SECONDS - 60
    const owner = Bun.spawn(["sleep", "10"])
    try {
      const { jobs } = env.services.store
      await jobs.insert(
        jobRow({ id: "cccccccccccc", status: "failed", error: "x", createdEpoch: old, completedEpoch: old }),
      )
      await jobs.insert(jobRow({ id: "dddddddddddd", status: "failed", error: "x", completedEpoch: Date.now() / 1000 }))
      const { processStartEpoch } = await import("@/core/jobs/owner")
      const ownerStartedEpoch = processStartEpoch(owner.pid) ?? 0
      await jobs.insert(jobRow({ id: "eeeeeeeeeeee", createdEpoch: old, ownerPid: owner.pid, ownerStartedEpoch }))
      const unfinished = await env.services.jobs.listUnfinished()
      expect(unfinished.map((j) => j.id)).toEqual(["eeeeeeeeeeee", "dddddddddddd"])
      expect(unfinished[0]?.status).toBe("generating")
    } finally {
      owner.kill()
    }
  })
})

describe("process identity without /proc/stat (systemd ProcSubset=pid)", () => {
  test("the boot time worked out from this process agrees with the kernel's btime", async () => {
    const { estimateBootEpoch } = await import("@/core/jobs/owner")
    const btime = Number((await Bun.file("/proc/stat").text()).match(/^btime (\d+)$/m)?.[1])
    const estimate = estimateBootEpoch()
    expect(estimate).toBeDefined()
    // btime is whole seconds; the estimate must be far inside the 2 s tolerance the owner check uses.
    expect(Math.abs((estimate ?? 0) - btime)).toBeLessThan(1.5)
  })
})
